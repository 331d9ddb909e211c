/** `ecs-jobs logs RUN [--follow] [--task ARN] [--container NAME] [--since 10m]`: a run's container output. */
import { DEFAULT_JOBS_DIR, usageError } from "../context.ts";
import { type AwsOptions, awsDepsOptions } from "./aws-options.ts";
import { defineCommand } from "./define-command.ts";

interface LogsOptions extends AwsOptions {
  jobs: string;
  follow?: boolean;
  task?: string;
  container?: string;
  since?: string;
}

export const registerLogs = defineCommand({
  name: "logs",
  argument: ["<run>", "run id (see `ecs-jobs runs`)"],
  description: "a run's container log lines (CloudWatch Logs; the emulator's output locally)",
  options: (command) =>
    command
      .option(
        "-f, --follow",
        "keep printing new lines until the run is final (Ctrl+C stops following, not the run)",
      )
      .option("--task <arn>", "only this task of the run (ARN or id)")
      .option("--container <name>", "only this container")
      .option("--since <when>", "only lines since a duration ago (30s, 10m, 2h, 1d) or an ISO 8601 time")
      .option("--jobs <dir>", "jobs folder", DEFAULT_JOBS_DIR),
  aws: "read the logs",
  action: async ({ io, now, makeDeps }, runId: string, opts: LogsOptions) => {
    const [
      { streamRunLogs, parseSince },
      { formatLogLine },
      { stopFollowingOnInterrupt },
      { NotFoundError },
    ] = await Promise.all([
      import("../../logs/follow-logs.ts"),
      import("../../logs/run-logs.ts"),
      import("../interrupt.ts"),
      import("../../errors.ts"),
    ]);
    const since = opts.since === undefined ? undefined : parseSince(opts.since, now());
    if (opts.since !== undefined && since === undefined)
      throw usageError(
        `--since: expected a duration such as 10m, 2h or 1d, or an ISO 8601 time; got "${opts.since}"`,
      );
    const deps = await makeDeps(io, {
      ...awsDepsOptions(opts),
      jobsDir: opts.jobs,
      now,
      clients: ["ecs", "dynamodb", "logs"],
    });
    const run = await deps.ledger.get(runId);
    if (!run) throw new NotFoundError(`run ${runId} (see \`ecs-jobs runs\`)`);
    const job = deps.catalog.get(run.job);
    if (!job) throw new NotFoundError(`job ${run.job} (of run ${runId}) in the jobs folder`);
    const interrupt = opts.follow ? stopFollowingOnInterrupt(io, runId) : undefined;
    try {
      await streamRunLogs(deps, job, runId, {
        filter: {
          ...(opts.task && { task: opts.task }),
          ...(opts.container && { container: opts.container }),
        },
        ...(since !== undefined && { since }),
        follow: opts.follow === true,
        ...(interrupt && { signal: interrupt.signal }),
        onLine: (l) => io.stdout(`${formatLogLine(l)}\n`),
        onNotice: (n) => io.stderr(`note: ${n}\n`),
      });
    } finally {
      interrupt?.dispose();
    }
  },
});
