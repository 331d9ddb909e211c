/**
 * `ecs-jobs backfill NAME --from ISO --to ISO [--dry-run] [--json] [--aws]`: one run for each fire time in
 * the window that has no run (SPEC section 6). Jobs with concurrency forbid or replace are backfilled one
 * run at a time, each followed to its end; Ctrl+C stops launching more, and a repeated backfill picks up
 * where it stopped (the run ids are stable per fire time).
 */
import { ValidationError } from "../../errors.ts";
import type { Run } from "../../runs/model.ts";
import { CliExit, DEFAULT_JOBS_DIR, EXIT_FAILED, printJson, usageError } from "../context.ts";
import { parseInstantFlag } from "../instant.ts";
import { defineCommand } from "./define-command.ts";

interface BackfillOptions {
  jobs: string;
  from: string;
  to: string;
  dryRun?: boolean;
  json?: boolean;
  aws?: boolean;
}

export const registerBackfill = defineCommand({
  name: "backfill",
  argument: ["<name>", "job name"],
  description: "launch one run for each fire time between --from and --to that has no run",
  options: (command) =>
    command
      .requiredOption("--from <iso>", "start of the window (inclusive), ISO 8601 with offset")
      .requiredOption("--to <iso>", "end of the window (inclusive), ISO 8601 with offset")
      .option("--dry-run", "print the fire times and what would be launched; launch nothing")
      .option("--jobs <dir>", "jobs folder", DEFAULT_JOBS_DIR)
      .option("--json", "print the plan (and launched runs) as JSON")
      .option("--aws", "use AWS (credentials and region from the environment) instead of the local stack"),
  action: async ({ io, now, makeDeps }, name: string, opts: BackfillOptions) => {
    const from = parseInstantFlag(opts.from, "--from");
    const to = parseInstantFlag(opts.to, "--to");
    const [{ requireJob }, { planBackfill, launchBackfill }, { followRun }, { settleLaunched }] =
      await Promise.all([
        import("../jobs.ts"),
        import("../../app/backfill.ts"),
        import("../../app/follow-run.ts"),
        import("../../app/on-run-final.ts"),
      ]);
    const job = requireJob(io, opts.jobs, name);
    const deps = await makeDeps(io, { ...(opts.aws && { aws: true }), jobsDir: opts.jobs, now });
    const plan = await planBackfill(deps, job, { from, to }).catch((error: unknown) => {
      if (error instanceof ValidationError) throw usageError(error.message);
      throw error;
    });
    const todo = plan.fireTimes.filter((f) => f.launch);
    if (!opts.json) {
      io.stdout(
        `${name}: ${plan.fireTimes.length} fire time(s) from ${plan.from} to ${plan.to}, ${todo.length} without a run\n`,
      );
      for (const f of plan.fireTimes)
        io.stdout(
          `  ${f.scheduledTime}  ${f.launch ? (opts.dryRun ? "would launch" : "launch") : "has run"} ${f.runId}\n`,
        );
    }
    if (opts.dryRun) {
      if (opts.json) printJson(io, plan);
      return;
    }
    const launched = await launchBackfill(deps, job, plan, {
      by: `cli:${io.env.USER ?? io.env.USERNAME ?? "unknown"}`,
      onLaunched: (run: Run) => {
        if (!opts.json) io.stdout(`launched ${run.runId} for ${run.trigger.scheduledTime}: ${run.status}\n`);
      },
      waitFor: async (run: Run) => {
        await settleLaunched(deps, run);
        return followRun(deps, run.runId, {
          cluster: job.spec.task.cluster,
          onLine: (line, r) => {
            if (!opts.json) io.stdout(`  ${r.runId} ${line}\n`);
          },
        });
      },
    });
    for (const run of launched) await settleLaunched(deps, run);
    if (opts.json)
      printJson(io, { ...plan, launched: launched.map((r) => ({ runId: r.runId, status: r.status })) });
    if (launched.some((r) => r.status === "FAILED" || r.status === "SKIPPED")) throw new CliExit(EXIT_FAILED);
  },
});
