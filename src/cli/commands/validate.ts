/** `ecs-jobs validate`: every job spec checked; each problem printed as file:line:col path: message, exit 1 on any. */
import { CliExit, DEFAULT_JOBS_DIR, EXIT_FAILED, printJson } from "../context.ts";
import { defineCommand } from "./define-command.ts";

export const registerValidate = defineCommand({
  name: "validate",
  description: "validate every job spec; print each problem as file:line:col path: message",
  options: (command) =>
    command
      .option("--jobs <dir>", "jobs folder", DEFAULT_JOBS_DIR)
      .option("--json", "print the result as JSON"),
  action: async ({ io, now }, opts: { jobs: string; json?: boolean }) => {
    // Imported on use: the CLI registers every command for --help, and loads only the one that runs.
    const { loadJobs, reportIssues } = await import("../jobs.ts");
    const result = loadJobs(io, opts.jobs, now());
    if (opts.json) {
      printJson(io, {
        valid: result.issues.length === 0,
        jobs: result.jobs.map((j) => j.name),
        issues: result.issues,
        ...(result.warnings && { warnings: result.warnings }),
      });
      if (result.issues.length > 0) throw new CliExit(EXIT_FAILED);
      return;
    }
    if (reportIssues(io, result)) {
      throw new CliExit(EXIT_FAILED, `${result.issues.length} problem(s) found`);
    }
    io.stdout(`${result.jobs.length} job(s) valid\n`);
  },
});
