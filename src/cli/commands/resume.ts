/** `ecs-jobs resume NAME`: enables a job's schedule again after pauseAfterFailures disabled it. */
import type { Command } from "commander";
import { type CliIo, DEFAULT_JOBS_DIR, printJson } from "../context.ts";
import { type AwsOptions, addAwsOptions, awsDepsOptions, explainingTarget } from "./aws-options.ts";
import { lazyCliDeps, type MakeDeps } from "./lazy-deps.ts";

interface ResumeOptions extends AwsOptions {
  jobs: string;
  json?: boolean;
}

export function registerResume(
  program: Command,
  io: CliIo,
  now: () => Date,
  makeDeps: MakeDeps = lazyCliDeps,
): void {
  addAwsOptions(
    program
      .command("resume")
      .argument("<name>", "job name")
      .description("enable a job's schedule again after it was paused (policy.pauseAfterFailures)")
      .option("--jobs <dir>", "jobs folder", DEFAULT_JOBS_DIR)
      .option("--json", "print the result as JSON"),
    "enable the schedule",
  ).action(async (name: string, opts: ResumeOptions) => {
    const [{ resumeJob }, { requireJob }] = await Promise.all([
      import("../../runs/pause.ts"),
      import("../jobs.ts"),
    ]);
    const job = requireJob(io, opts.jobs, name);
    const deps = await makeDeps(io, {
      ...awsDepsOptions(opts),
      jobsDir: opts.jobs,
      now,
    });
    const result = await explainingTarget(deps.awsTarget, () => resumeJob(deps, job));
    if (opts.json) printJson(io, result);
    else
      io.stdout(
        result.changed
          ? `resumed ${name}: its schedule is enabled again\n`
          : `${name} was not paused: its schedule is already enabled\n`,
      );
  });
}
