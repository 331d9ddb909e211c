/** Every minute: timeouts, start deadlines, SLOW runs, missed fire times. See src/app/sweep.ts. */
import type { Deps } from "../src/app/deps.ts";
import type { LaunchFn } from "../src/app/retry.ts";
import { sweep } from "../src/app/sweep.ts";
import { EcsJobsError } from "../src/errors.ts";
import { LAMBDA_CLIENTS } from "./lambda-clients.ts";
import { lambdaDeps, lambdaHandler } from "./runtime.ts";

export const createSweeperHandler = (deps: () => Promise<Deps>, launch?: LaunchFn) =>
  lambdaHandler(async () => {
    const d = await deps();
    const report = await sweep(launch ? { ...d, launch } : d);
    const summary = {
      continued: report.continued.length,
      interrupted: report.interrupted.length,
      reconciled: report.reconciled.length,
      timedOut: report.timedOut.length,
      missed: report.missed.length,
      slow: report.slow.length,
      missedFireTimes: report.missedFireTimes.length,
      errors: report.errors.length,
    };
    d.log.info("sweep done", summary);
    // Each step is idempotent: a failed sweep is worth retrying, and should show in the function's errors.
    if (report.errors.length > 0)
      throw new EcsJobsError(
        "SweepFailed",
        `${report.errors.length} sweeper step(s) failed: ${report.errors.map((e) => e.where).join(", ")}`,
      );
    return summary;
  });

export const handler = createSweeperHandler(lambdaDeps(LAMBDA_CLIENTS));
