/** Every minute: timeouts, start deadlines, SLOW runs, missed fire times. See src/app/sweep.ts. */
import type { Context } from "aws-lambda";
import type { Deps } from "../src/app/deps.ts";
import type { LaunchFn } from "../src/app/retry.ts";
import { sweep } from "../src/app/sweep.ts";
import { errorMessage, errorName } from "../src/aws/ecs-call.ts";
import { EcsJobsError } from "../src/errors.ts";
import { LAMBDA_CLIENTS } from "./lambda-clients.ts";
import { lambdaDeps, lambdaHandler } from "./runtime.ts";

/**
 * `host.signal`: the local stack aborts it at close, so a sweep in flight stops between runs instead of being
 * cut by the close's drain. On Lambda the invocation's remaining time does the same before the timeout.
 */
export const createSweeperHandler = (
  deps: () => Promise<Deps>,
  launch?: LaunchFn,
  host: { signal?: AbortSignal } = {},
) =>
  lambdaHandler(async (_event: unknown, context: Context) => {
    const d = await deps();
    const report = await sweep(launch ? { ...d, launch } : d, {
      ...(host.signal && { signal: host.signal }),
      remainingMs: () => context.getRemainingTimeInMillis(),
    });
    const summary = {
      continued: report.continued.length,
      interrupted: report.interrupted.length,
      reconciled: report.reconciled.length,
      timedOut: report.timedOut.length,
      missed: report.missed.length,
      slow: report.slow.length,
      endWork: report.endWork.length,
      stopped: report.stopped.length,
      missedFireTimes: report.missedFireTimes.length,
      leftRuns: report.leftRuns.length,
      leftJobs: report.leftJobs.length,
      errors: report.errors.length,
    };
    d.log.info("sweep done", summary);
    // Each step is idempotent: a failed sweep is worth retrying, and should show in the function's errors.
    if (report.errors.length > 0) throw sweepFailed(report.errors);
    return summary;
  });

/** Steps named in the invocation's error, each with why it failed; the rest counted. */
const NAMED_STEPS = 5;

/** One line that says what failed and why (the step lines above it have the details), the errors as cause. */
function sweepFailed(errors: { where: string; error: unknown }[]): EcsJobsError {
  const named = errors
    .slice(0, NAMED_STEPS)
    .map(({ where, error }) => `${where}: ${errorName(error)}: ${errorMessage(error)}`);
  const more = errors.length > NAMED_STEPS ? `; and ${errors.length - NAMED_STEPS} more` : "";
  const [first] = errors;
  return new EcsJobsError(
    "SweepFailed",
    `${errors.length} sweeper step(s) failed: ${named.join("; ")}${more}`,
    {
      cause: errors.length === 1 && first ? first.error : new AggregateError(errors.map((e) => e.error)),
    },
  );
}

export const handler = createSweeperHandler(lambdaDeps(LAMBDA_CLIENTS));
