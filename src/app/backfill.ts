/**
 * `ecs-jobs backfill NAME --from --to`: one run for each fire time of the job's schedule in the window that
 * has no run (a MISSED record is no run: backfilling after an outage is what it is for). Each fire time's
 * run has a stable id (shared with policy.catchUp), so a repeated or concurrent backfill launches nothing
 * twice; the plan is computed from the ledger and the same window always gives the same ids.
 */
import { ValidationError } from "../errors.ts";
import type { Job } from "../jobspec/schema.ts";
import { loadJobRuns } from "../ledger/history.ts";
import type { RunLedger } from "../ledger/ledger.ts";
import { isFinal, type Run } from "../runs/model.ts";
import { runIdFor } from "../runs/run-id.ts";
import { launchRun } from "./launch-run.ts";
import { fireTimesIn, MAX_FIRES, rerunRequest, unansweredAmong } from "./missed.ts";
import type { RelaunchDeps } from "./retry.ts";

export interface BackfillPlan {
  job: string;
  from: string;
  to: string;
  /** Every fire time in the window, oldest first, with the run that answers it or the one to launch. */
  fireTimes: { scheduledTime: string; runId: string; launch: boolean }[];
}

/** The window's fire times and which of them need a run. Throws ValidationError for an unusable window. */
export async function planBackfill(
  deps: { ledger: RunLedger },
  job: Job,
  window: { from: Date; to: Date },
): Promise<BackfillPlan> {
  if (!job.spec.schedule) throw new ValidationError(`job ${job.name} has no schedule to backfill`);
  const from = window.from.getTime();
  const to = window.to.getTime();
  if (!(from < to)) throw new ValidationError("--from must be before --to");
  const runs = await loadJobRuns(deps.ledger, job.name, {
    max: 20_000,
    enough: (rs) => rs.length > 0 && Date.parse(rs[rs.length - 1]?.createdAt ?? "") < from - 24 * 3_600_000,
  });
  // [from, to]: a fire time exactly at --from is in the window.
  const fire = fireTimesIn(job, runs, { from: from - 1, to }, MAX_FIRES + 1);
  if (fire.times.length === 0 && job.spec.schedule.expression.startsWith("rate("))
    throw new ValidationError(
      `the phase of ${job.name}'s rate schedule is unknown (no startDate and no recorded run): nothing to backfill`,
    );
  if (fire.times.length > MAX_FIRES)
    throw new ValidationError(
      `more than ${MAX_FIRES} fire times between --from and --to: backfill a narrower window`,
    );
  const answered = runs.filter((r) => r.status !== "MISSED");
  const open = new Set(unansweredAmong(fire, answered));
  const byTime = new Map(answered.map((r) => [Date.parse(r.trigger.scheduledTime ?? ""), r.runId]));
  return {
    job: job.name,
    from: window.from.toISOString(),
    to: window.to.toISOString(),
    fireTimes: fire.times.map((t) => {
      const request = rerunRequest(job, new Date(t), "backfill");
      const launch = open.has(t);
      return {
        scheduledTime: new Date(t).toISOString(),
        runId: launch
          ? runIdFor(job.name, request.trigger, request.at)
          : (byTime.get(t) ?? "(a run near it)"),
        launch,
      };
    }),
  };
}

/**
 * Launches the plan's runs, oldest first. With concurrency allow they are launched at once; with forbid or
 * replace one at a time, `waitFor` following each run (and any other active run of the job) to its end,
 * so a backfill neither skips its own fire times nor cancels them.
 */
export async function launchBackfill(
  deps: RelaunchDeps,
  job: Job,
  plan: BackfillPlan,
  options: { by?: string; waitFor?: (run: Run) => Promise<Run>; onLaunched?: (run: Run) => void },
): Promise<Run[]> {
  const one = job.spec.policy.concurrency !== "allow";
  const launch = deps.launch ?? launchRun;
  const launched: Run[] = [];
  for (const item of plan.fireTimes.filter((f) => f.launch)) {
    if (one && options.waitFor) {
      // Not final: a final run listed only has end-work pending (src/ledger/end-work.ts), nothing to wait for.
      for (const active of (await deps.ledger.listActive()).filter(
        (r) => r.job === job.name && !isFinal(r.status),
      ))
        await options.waitFor(active);
    }
    const run = await launch(deps, rerunRequest(job, new Date(item.scheduledTime), "backfill", options.by));
    options.onLaunched?.(run);
    launched.push(run);
    if (one && options.waitFor) launched[launched.length - 1] = await options.waitFor(run);
  }
  return launched;
}
