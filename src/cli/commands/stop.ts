/** `ecs-jobs stop RUN [--reason TEXT]`: StopTask for every task of a run, which ends CANCELLED. */
import type { Command } from "commander";
import { redactSecrets } from "../../alerts/redact.ts";
import { EcsJobsError } from "../../errors.ts";
import { type CliIo, DEFAULT_JOBS_DIR, printJson, usageError } from "../context.ts";
import { type AwsOptions, addAwsOptions, awsDepsOptions } from "./aws-options.ts";
import { lazyCliDeps, type MakeDeps } from "./lazy-deps.ts";

interface StopOptions extends AwsOptions {
  jobs: string;
  reason?: string;
  json?: boolean;
}

export function registerStop(
  program: Command,
  io: CliIo,
  now: () => Date,
  makeDeps: MakeDeps = lazyCliDeps,
): void {
  addAwsOptions(
    program
      .command("stop")
      .argument("<run>", "run id (see `ecs-jobs runs`)")
      .description("stop every task of a run; the run ends CANCELLED (no FAILED alert, no retry)")
      .option("--reason <text>", "why; recorded in the run and sent to ECS")
      .option("--jobs <dir>", "jobs folder", DEFAULT_JOBS_DIR)
      .option("--json", "print the run as JSON"),
    "stop the run",
  ).action(async (runId: string, opts: StopOptions) => {
    const { checkStopReason, stopRun } = await import("../../app/stop-run.ts");
    let reason: string | undefined;
    try {
      reason = checkStopReason(opts.reason);
    } catch (error) {
      if (error instanceof EcsJobsError) throw usageError(`--${error.message}`);
      throw error;
    }
    const deps = await makeDeps(io, {
      ...awsDepsOptions(opts),
      jobsDir: opts.jobs,
      now,
    });
    const by = `cli:${io.env.USER ?? io.env.USERNAME ?? "unknown"}`;
    const { run, stoppedTasks } = await stopRun(deps, runId, { ...(reason && { reason }), by });
    if (opts.json) printJson(io, redactSecrets(run));
    else
      io.stdout(
        `stopped run ${run.runId} of ${run.job}: CANCELLED; ECS asked to stop ${stoppedTasks.length} task(s)\n`,
      );
  });
}
