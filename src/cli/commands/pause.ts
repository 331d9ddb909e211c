/** `ecs-jobs pause NAME`: disables a job's schedule on purpose until `ecs-jobs resume NAME`. */
import type { Command } from "commander";
import { type CliIo, DEFAULT_JOBS_DIR, printJson } from "../context.ts";
import { type AwsOptions, addAwsOptions, awsDepsOptions } from "./aws-options.ts";
import { lazyCliDeps, type MakeDeps } from "./lazy-deps.ts";

interface PauseOptions extends AwsOptions {
  jobs: string;
  json?: boolean;
}

export function registerPause(
  program: Command,
  io: CliIo,
  now: () => Date,
  makeDeps: MakeDeps = lazyCliDeps,
): void {
  addAwsOptions(
    program
      .command("pause")
      .argument("<name>", "job name")
      .description("disable a job's schedule until `ecs-jobs resume NAME` (runs in flight go on)")
      .option("--jobs <dir>", "jobs folder", DEFAULT_JOBS_DIR)
      .option("--json", "print the result as JSON"),
    "disable the schedule",
  ).action(async (name: string, opts: PauseOptions) => {
    const [{ pauseJob }, { requireJob }] = await Promise.all([
      import("../../runs/pause.ts"),
      import("../jobs.ts"),
    ]);
    const job = requireJob(io, opts.jobs, name);
    const deps = await makeDeps(io, {
      ...awsDepsOptions(opts),
      jobsDir: opts.jobs,
      now,
    });
    const result = await pauseJob(deps, job);
    if (opts.json) printJson(io, result);
    else if (result.state === "DISABLED")
      io.stdout(`${name} is disabled in its spec (schedule.enabled: false): it does not fire\n`);
    else
      io.stdout(
        result.changed
          ? `paused ${name}: its schedule will not fire until \`ecs-jobs resume ${name}\`\n`
          : `${name} was paused already\n`,
      );
  });
}
