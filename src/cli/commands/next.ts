import type { Command } from "commander";
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

export function registerNext(program: Command, io: CliIo, now: () => Date): void {
  program
    .command("next")
    .argument("<name>", "job name")
    .description("the next N fire times, ISO 8601 with the offset of the job's time zone")
    .option("--jobs <dir>", "jobs folder", DEFAULT_JOBS_DIR)
    .option("-n, --count <n>", "how many", "5")
    .option("--from <iso>", "start after this instant (default: now)")
    .option("--json", "print a JSON array")
    .action(async (name: string, opts: { jobs: string; count: string; from?: string; json?: boolean }) => {
      const count = parsePositiveInt(opts.count, "-n");
      if (count > 1000) throw usageError("-n expects at most 1000");
      const from = opts.from === undefined ? now() : parseInstantFlag(opts.from, "--from");
      const [{ upcoming }, { formatInZone }, { requireJob }, { scheduleAnchors }] = await Promise.all([
        import("../../catalog/summary.ts"),
        import("../../schedule/index.ts"),
        import("../jobs.ts"),
        import("../anchors.ts"),
      ]);
      const job = requireJob(io, opts.jobs, name);
      const schedule = job.spec.schedule;
      if (!schedule) throw new CliExit(EXIT_FAILED, `job ${name} has no schedule`);
      const anchor = (await scheduleAnchors(io))(name);
      const times = upcoming(job, from, count, anchor).map((d) => formatInZone(d, schedule.timezone));
      if (opts.json) printJson(io, times);
      else io.stdout(times.map((t) => `${t}\n`).join(""));
      if (!schedule.enabled)
        io.stderr(`note: the schedule of ${name} is disabled; these are the times it would fire\n`);
    });
}
