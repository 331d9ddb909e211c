/** `ecs-jobs list`: one line per job with its state (ENABLED | PAUSED | DISABLED) and next fire time. */
import type { Job } from "../../jobspec/schema.ts";
import type { DeployedSchedule } from "../../schedule/deployed.ts";
import { CliExit, type CliIo, DEFAULT_JOBS_DIR, EXIT_FAILED, printJson } from "../context.ts";
import { type AwsOptions, awsDepsOptions } from "./aws-options.ts";
import { defineCommand } from "./define-command.ts";
import type { MakeDeps } from "./lazy-deps.ts";

interface ListOptions extends AwsOptions {
  jobs: string;
  json?: boolean;
}

interface WhereTheyRun {
  paused: ReadonlySet<string>;
  /** With --aws: the rate schedules as deployed, where they count from (src/runs/deployed-schedules.ts). */
  deployed?: ReadonlyMap<string, DeployedSchedule>;
}

/**
 * Which jobs are paused is known only where the schedules are (the local stack's, or AWS with --aws); the
 * specs alone still list every job, with a note that PAUSED cannot be told. In AWS the same deps read where
 * the rate schedules count from.
 */
async function whereTheyRun(
  io: CliIo,
  opts: ListOptions,
  jobs: readonly Job[],
  now: () => Date,
  makeDeps: MakeDeps,
): Promise<WhereTheyRun> {
  const enabled = jobs.filter((j) => j.spec.schedule?.enabled);
  if (enabled.length === 0) return { paused: new Set() };
  const where = awsDepsOptions(opts);
  let deps: Awaited<ReturnType<MakeDeps>>;
  try {
    deps = await makeDeps(io, {
      ...where,
      jobsDir: opts.jobs,
      now,
      // The ledger is built with the deps (its client must be there); only the schedules are read.
      clients: ["scheduler", "dynamodb"],
    });
  } catch (error) {
    if (where.aws || !(error instanceof CliExit)) throw error;
    io.stderr(
      "note: no local stack running, so PAUSED cannot be told: states are as the specs say (--aws for AWS)\n",
    );
    return { paused: new Set() };
  }
  const { pausedJobs } = await import("../../app/pause.ts");
  if (!where.aws) return { paused: await pausedJobs(deps) };
  const { deployedSchedules } = await import("../../scheduler/deployed-schedules.ts");
  const [paused, deployed] = await Promise.all([pausedJobs(deps), deployedSchedules(deps, enabled)]);
  return { paused, deployed };
}

export const registerList = defineCommand({
  name: "list",
  description: "one line per job: name, trigger(s), next fire time, target, state",
  options: (command) =>
    command
      .option("--jobs <dir>", "jobs folder", DEFAULT_JOBS_DIR)
      .option("--json", "print the jobs as JSON"),
  aws: "read the schedules' state (PAUSED)",
  action: async ({ io, now, makeDeps }, opts: ListOptions) => {
    const [{ summarize }, { loadJobs, reportIssues }, { scheduleAnchors }] = await Promise.all([
      import("../../catalog/summary.ts"),
      import("../jobs.ts"),
      import("../anchors.ts"),
    ]);
    const result = loadJobs(io, opts.jobs, now());
    const { paused, deployed } = await whereTheyRun(io, opts, result.jobs, now, makeDeps);
    const anchorOf = deployed ? (job: string) => deployed.get(job) : await scheduleAnchors(io, opts.dataDir);
    const summaries = result.jobs.map((j) => summarize(j, now(), 1, paused.has(j.name), anchorOf(j.name)));
    if (opts.json) printJson(io, summaries);
    else {
      const rows = summaries.map((s) => [
        s.name,
        [
          ...(s.schedule
            ? [
                `schedule ${s.schedule.awsExpression} ${s.schedule.timezone}${s.schedule.enabled ? "" : " (disabled)"}`,
              ]
            : []),
          ...(s.triggers.includes("http") ? ["http"] : []),
          ...(s.triggers.includes("instanceLaunch") ? ["instance-launch"] : []),
        ].join(", ") || "manual",
        s.nextFireTimes[0] ?? "-",
        `${s.target.capacity} ${s.target.cluster}/${s.target.taskDefinition} x${s.target.count}`,
        s.state,
      ]);
      io.stdout(table([["NAME", "TRIGGERS", "NEXT", "TARGET", "STATE"], ...rows]));
    }
    if (reportIssues(io, result))
      throw new CliExit(EXIT_FAILED, `${result.issues.length} problem(s) in specs`);
  },
});

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows
    .map((r) => `${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join("  ")}\n`)
    .join("");
}
