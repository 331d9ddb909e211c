import type { Job } from "../../jobspec/schema.ts";
import type { DeployedSchedule } from "../../schedule/deployed.ts";
import {
  CliExit,
  type CliIo,
  DEFAULT_JOBS_DIR,
  EXIT_FAILED,
  parsePositiveInt,
  printJson,
  usageError,
} from "../context.ts";
import { parseInstantFlag } from "../instant.ts";
import { type AwsOptions, awsDepsOptions, explainingTarget } from "./aws-options.ts";
import { defineCommand } from "./define-command.ts";
import type { MakeDeps } from "./lazy-deps.ts";

interface NextOptions extends AwsOptions {
  jobs: string;
  count: string;
  from?: string;
  json?: boolean;
}

/**
 * Where the job's rate schedule counts from: as deployed with --aws (GetSchedule), else as the local stack
 * stored it (schedules.json); unknown, upcoming counts from --from.
 */
async function anchorOf(
  io: CliIo,
  opts: NextOptions,
  job: Job,
  makeDeps: MakeDeps,
): Promise<Date | DeployedSchedule | undefined> {
  const where = awsDepsOptions(opts);
  if (!where.aws) {
    const { scheduleAnchors } = await import("../anchors.ts");
    return (await scheduleAnchors(io, opts.dataDir))(job.name);
  }
  const deps = await makeDeps(io, { ...where, jobsDir: opts.jobs, clients: ["scheduler", "dynamodb"] });
  const { deployedSchedule } = await import("../../scheduler/deployed-schedules.ts");
  return explainingTarget(deps.awsTarget, () => deployedSchedule(deps, job));
}

export const registerNext = defineCommand({
  name: "next",
  argument: ["<name>", "job name"],
  description: "the next N fire times, ISO 8601 with the offset of the job's time zone",
  options: (command) =>
    command
      .option("--jobs <dir>", "jobs folder", DEFAULT_JOBS_DIR)
      .option("-n, --count <n>", "how many", "5")
      .option("--from <iso>", "start after this instant (default: now)")
      .option("--json", "print a JSON array"),
  aws: "count a rate schedule from its deployed schedule's creation or last change",
  action: async ({ io, now, makeDeps }, name: string, opts: NextOptions) => {
    const count = parsePositiveInt(opts.count, "-n");
    if (count > 1000) throw usageError("-n expects at most 1000");
    const from = opts.from === undefined ? now() : parseInstantFlag(opts.from, "--from");
    const [{ upcoming }, { formatInZone }, { requireJob }] = await Promise.all([
      import("../../catalog/summary.ts"),
      import("../../schedule/index.ts"),
      import("../jobs.ts"),
    ]);
    const job = requireJob(io, opts.jobs, name);
    const schedule = job.spec.schedule;
    if (!schedule) throw new CliExit(EXIT_FAILED, `job ${name} has no schedule`);
    const anchor = await anchorOf(io, opts, job, makeDeps);
    const times = upcoming(job, from, count, anchor).map((d) => formatInZone(d, schedule.timezone));
    if (opts.json) printJson(io, times);
    else io.stdout(times.map((t) => `${t}\n`).join(""));
    if (!schedule.enabled)
      io.stderr(`note: the schedule of ${name} is disabled; these are the times it would fire\n`);
  },
});
