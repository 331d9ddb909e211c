/**
 * `ecs-jobs pause NAME` and `ecs-jobs resume NAME`: one command each, the two sides of one switch — the job's
 * schedule DISABLED on purpose (PAUSED) or ENABLED again (after a pause, or pauseAfterFailures). Both are
 * idempotent; runs in flight go on either way.
 */
import { DEFAULT_JOBS_DIR, printJson } from "../context.ts";
import { type AwsOptions, awsDepsOptions, explainingTarget } from "./aws-options.ts";
import { defineCommand } from "./define-command.ts";

interface SwitchOptions extends AwsOptions {
  jobs: string;
  json?: boolean;
}

type Outcome = { job: string; state: string; changed: boolean };

const SIDES = {
  pause: {
    description: "disable a job's schedule until `ecs-jobs resume NAME` (runs in flight go on)",
    what: "disable the schedule",
    say: (name: string, r: Outcome) =>
      r.state === "DISABLED"
        ? `${name} is disabled in its spec (schedule.enabled: false): it does not fire\n`
        : r.changed
          ? `paused ${name}: its schedule will not fire until \`ecs-jobs resume ${name}\`\n`
          : `${name} was paused already\n`,
  },
  resume: {
    description: "enable a job's schedule again after it was paused (pause, policy.pauseAfterFailures)",
    what: "enable the schedule",
    say: (name: string, r: Outcome) =>
      r.changed
        ? `resumed ${name}: its schedule is enabled again\n`
        : `${name} was not paused: its schedule is already enabled\n`,
  },
} as const;

const registerSwitch = (side: keyof typeof SIDES) =>
  defineCommand({
    name: side,
    argument: ["<name>", "job name"],
    description: SIDES[side].description,
    options: (command) =>
      command
        .option("--jobs <dir>", "jobs folder", DEFAULT_JOBS_DIR)
        .option("--json", "print the result as JSON"),
    aws: SIDES[side].what,
    action: async ({ io, now, makeDeps }, name: string, opts: SwitchOptions) => {
      const [{ pauseJob, resumeJob }, { requireJob }] = await Promise.all([
        import("../../app/pause.ts"),
        import("../jobs.ts"),
      ]);
      const job = requireJob(io, opts.jobs, name);
      const deps = await makeDeps(io, { ...awsDepsOptions(opts), jobsDir: opts.jobs, now });
      const result = await explainingTarget<Outcome>(deps.awsTarget, () =>
        side === "pause" ? pauseJob(deps, job) : resumeJob(deps, job),
      );
      if (opts.json) printJson(io, result);
      else io.stdout(SIDES[side].say(name, result));
    },
  });

export const registerPause = registerSwitch("pause");
export const registerResume = registerSwitch("resume");
