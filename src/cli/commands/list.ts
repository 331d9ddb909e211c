import type { Command } from "commander";
import { CliExit, type CliIo, DEFAULT_JOBS_DIR, EXIT_FAILED, printJson } from "../context.ts";

export function registerList(program: Command, io: CliIo, now: () => Date): void {
  program
    .command("list")
    .description("one line per job: name, trigger(s), next fire time, target")
    .option("--jobs <dir>", "jobs folder", DEFAULT_JOBS_DIR)
    .option("--json", "print the jobs as JSON")
    .action(async (opts: { jobs: string; json?: boolean }) => {
      const [{ summarize }, { loadJobs, reportIssues }, { scheduleAnchors }] = await Promise.all([
        import("../../catalog/summary.ts"),
        import("../jobs.ts"),
        import("../anchors.ts"),
      ]);
      const result = loadJobs(io, opts.jobs, now());
      const anchorOf = await scheduleAnchors(io);
      const summaries = result.jobs.map((j) => summarize(j, now(), 1, anchorOf(j.name)));
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
        ]);
        io.stdout(table([["NAME", "TRIGGERS", "NEXT", "TARGET"], ...rows]));
      }
      if (reportIssues(io, result))
        throw new CliExit(EXIT_FAILED, `${result.issues.length} problem(s) in specs`);
    });
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows
    .map((r) => `${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join("  ")}\n`)
    .join("");
}
