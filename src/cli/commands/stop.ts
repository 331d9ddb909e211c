/** `ecs-jobs stop RUN [--reason TEXT]`: StopTask for every task of a run, which ends CANCELLED. */
import { redactSecrets } from "../../alerts/redact.ts";
import { EcsJobsError } from "../../errors.ts";
import { DEFAULT_JOBS_DIR, printJson, usageError } from "../context.ts";
import { type AwsOptions, awsDepsOptions } from "./aws-options.ts";
import { defineCommand } from "./define-command.ts";

interface StopOptions extends AwsOptions {
  jobs: string;
  reason?: string;
  json?: boolean;
}

export const registerStop = defineCommand({
  name: "stop",
  argument: ["<run>", "run id (see `ecs-jobs runs`)"],
  description: "stop every task of a run; the run ends CANCELLED (no FAILED alert, no retry)",
  options: (command) =>
    command
      .option("--reason <text>", "why; recorded in the run and sent to ECS")
      .option("--jobs <dir>", "jobs folder", DEFAULT_JOBS_DIR)
      .option("--json", "print the run as JSON"),
  aws: "stop the run",
  action: async ({ io, now, makeDeps }, runId: string, opts: StopOptions) => {
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
  },
});
