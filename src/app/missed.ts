/**
 * Fire times of an enabled schedule for which no run was ever recorded: the schedule or its Lambda failed
 * silently. Each one becomes a MISSED run (and its alert).
 *
 * No sweeper state is kept: every sweep looks back over a fixed window, and a missed fire time gets a run
 * id derived from the job and the time, so the conditional create of a later sweep finds it and nothing is
 * reported twice. A fire time is judged only once the schedule could no longer deliver it: after its
 * flexible window and the start deadline (the deploy caps Scheduler's event age at that deadline), or
 * DEFAULT_GRACE_MINUTES without one. Only fire times after the schedule's last modification count, so a
 * resumed or redeployed schedule is not blamed for the time it was paused or did not exist.
 */
import type { Job } from "../jobspec/schema.ts";
import { loadJobRuns } from "../ledger/history.ts";
import type { Run, Trigger } from "../runs/model.ts";
import { runIdFor } from "../runs/run-id.ts";
import { parseScheduleExpression, type ScheduleExpression } from "../schedule/expression.ts";
import { nextFireTimes } from "../schedule/next.ts";
import { listSchedules, type SchedulerPort } from "../scheduler/schedules.ts";
import { type LaunchRequest, launchRun } from "./launch-run.ts";
import { onRunFinal, type RunEndDeps } from "./on-run-final.ts";

const MINUTE = 60_000;
export const LOOKBACK_MINUTES = 60;
export const DEFAULT_GRACE_MINUTES = 10;
/** One day of a minutely schedule: the most a sweep records (and a backfill launches) at once. */
export const MAX_FIRES = 1440;

export interface ScheduleInfo {
  created?: Date;
  modified?: Date;
}

/** The job schedules the group holds ENABLED, by name (paused ones are not checked). */
export async function enabledSchedules(deps: SchedulerPort): Promise<Map<string, ScheduleInfo>> {
  const out = new Map<string, ScheduleInfo>();
  for (const s of await listSchedules(deps, "ENABLED")) {
    if (!s.Name) continue;
    out.set(s.Name, {
      ...(s.CreationDate && { created: s.CreationDate }),
      ...(s.LastModificationDate && { modified: s.LastModificationDate }),
    });
  }
  return out;
}

export function graceMs(job: Job): number {
  const policy = job.spec.policy;
  const flex = job.spec.schedule?.flexibleWindowMinutes ?? 0;
  return (flex + (policy.startDeadlineMinutes ?? DEFAULT_GRACE_MINUTES) + 1) * MINUTE;
}

const scheduledTimes = (runs: readonly Run[]): number[] =>
  runs.map((r) => Date.parse(r.trigger.scheduledTime ?? "")).filter((t) => Number.isFinite(t));

/**
 * Rate schedules count from when Scheduler started them, which the API does not say; the phase is taken
 * from the newest recorded fire time since the last modification (else the start date or modification).
 */
function rateFireTimes(
  expr: Extract<ScheduleExpression, { kind: "rate" }>,
  from: number,
  to: number,
  anchor: number,
): number[] {
  const step = expr.intervalMs;
  const out: number[] = [];
  for (
    let t = anchor + Math.floor((from - anchor) / step + 1) * step;
    t <= to && out.length < MAX_FIRES;
    t += step
  )
    out.push(t);
  return out;
}

/** A job's fire times in (from, to], and how far from one a run without an exact fire time may be. */
export interface FireTimes {
  times: number[];
  /** A run recorded up to `before` ms early or `after` ms late (flexible window included) may answer it. */
  before: number;
  after: number;
}

/**
 * The fire times of the job's schedule in (from, to]. Rate schedules need an anchor (a recorded fire time
 * or the start date or the schedule's last modification); without one the answer is empty.
 */
export function fireTimesIn(
  job: Job,
  runs: readonly Run[],
  window: { from: number; to: number; modified?: number },
  max = MAX_FIRES,
): FireTimes {
  const s = job.spec.schedule;
  const parsed = s && parseScheduleExpression(s.expression);
  if (!s || !parsed?.ok) return { times: [], before: 0, after: 0 };
  const expr = parsed.value;
  const flex = s.flexibleWindowMinutes * MINUTE;
  const startDate = s.startDate ? Date.parse(s.startDate) : undefined;
  const endDate = s.endDate ? Date.parse(s.endDate) : undefined;
  if (expr.kind === "rate") {
    const sinceModified = scheduledTimes(runs).filter((t) => t >= (window.modified ?? 0));
    const anchor = sinceModified.length > 0 ? Math.max(...sinceModified) : (startDate ?? window.modified);
    if (anchor === undefined) return { times: [], before: 0, after: 0 };
    const times = rateFireTimes(expr, window.from, window.to, anchor).filter(
      (t) => (startDate === undefined || t >= startDate) && (endDate === undefined || t <= endDate),
    );
    const half = Math.min(MINUTE, expr.intervalMs / 2);
    return { times: times.slice(0, max), before: half, after: half + flex };
  }
  const times = nextFireTimes(expr, {
    timezone: s.timezone,
    from: new Date(window.from),
    count: max,
    ...(startDate !== undefined && { startDate: new Date(startDate) }),
    // Bounded by the window too, so a sweep computes the fire times it judges and no more.
    endDate: new Date(Math.min(endDate ?? Number.POSITIVE_INFINITY, window.to)),
  })
    .map((d) => d.getTime())
    .filter((t) => t <= window.to);
  return { times, before: MINUTE, after: MINUTE + flex };
}

/**
 * Pairs fire times with recorded runs, each fire time with at most one run and each run with at most one
 * fire time: first the runs that carry the exact fire time (Scheduler's scheduled-time, a MISSED record, a
 * catch-up or backfill), then the others (a classic rule's event time) with the nearest fire time still
 * unanswered within the tolerance. Resolves to the fire times no run answers.
 */
export function unansweredAmong(fire: FireTimes, runs: readonly Run[]): number[] {
  const recorded = scheduledTimes(runs);
  const exact = new Set(recorded);
  const open = fire.times.filter((t) => !exact.has(t));
  const fireSet = new Set(fire.times);
  for (const r of recorded.filter((t) => !fireSet.has(t)).sort((a, b) => a - b)) {
    let best = -1;
    for (const [i, t] of open.entries()) {
      if (r < t - fire.before || r >= t + fire.after) continue;
      if (best < 0 || Math.abs(r - t) < Math.abs(r - (open[best] as number))) best = i;
    }
    if (best >= 0) open.splice(best, 1);
  }
  return open;
}

/** Fire times in (from, to] that no recorded run answers. */
export function unansweredFireTimes(
  job: Job,
  runs: readonly Run[],
  window: { from: number; to: number; modified?: number },
): number[] {
  return unansweredAmong(fireTimesIn(job, runs, window), runs);
}

export function missedRun(job: Job, at: Date, now: Date): Run {
  const iso = at.toISOString();
  const trigger: Trigger = { kind: "schedule", id: `missed:${iso}`, scheduledTime: iso };
  const runId = runIdFor(job.name, trigger, at);
  return {
    runId,
    job: job.name,
    status: "MISSED",
    trigger,
    attempt: 1,
    lineageId: runId,
    createdAt: iso,
    stoppedAt: now.toISOString(),
    hint: `The schedule should have fired at ${iso}, but no run was recorded: the schedule's target (the schedule function) failed, was throttled or was not invoked. Check the schedule's dead-letter queue and the schedule function's logs.`,
    failures: [],
    tasks: [],
  };
}

/**
 * policy.catchUp: of the fire times just found missed, the ones to launch again — none, the latest, or all
 * — if no older than catchUpWindowMinutes. Pure; `missed` in any order.
 */
export function catchUpTimes(job: Job, missed: readonly number[], now: number): number[] {
  const { catchUp, catchUpWindowMinutes } = job.spec.policy;
  if (catchUp === "none") return [];
  const young = missed.filter((t) => now - t <= catchUpWindowMinutes * MINUTE).sort((a, b) => a - b);
  return catchUp === "latest" ? young.slice(-1) : young;
}

/** The request that launches a fire time again: its id is the same for a catch-up and a backfill. */
export function rerunRequest(
  job: Job,
  at: Date,
  kind: "catchUp" | "backfill",
  by?: string,
): LaunchRequest & { at: Date } {
  const iso = at.toISOString();
  return { job, trigger: { kind, id: `${kind}:${iso}`, scheduledTime: iso, ...(by && { by }) }, at };
}

/** Records (once) and alerts the missed fire times of one job; resolves to the runs created now. */
export async function reportMissed(deps: RunEndDeps, job: Job, info: ScheduleInfo): Promise<Run[]> {
  const now = deps.now().getTime();
  const to = now - graceMs(job);
  const modified = (info.modified ?? info.created)?.getTime();
  // Looks back as far as a catch-up could reach, so an outage longer than the usual hour is caught up too.
  const lookback = Math.max(
    LOOKBACK_MINUTES,
    job.spec.policy.catchUp === "none" ? 0 : job.spec.policy.catchUpWindowMinutes,
  );
  const from = Math.max(to - lookback * MINUTE, modified ?? Number.NEGATIVE_INFINITY);
  if (to <= from) return [];
  const oldest = from - 2 * graceMs(job);
  const runs = await loadJobRuns(deps.ledger, job.name, {
    max: 2_000,
    enough: (rs) => rs.length > 0 && Date.parse(rs[rs.length - 1]?.createdAt ?? "") < oldest,
  });
  const created: Run[] = [];
  for (const t of unansweredFireTimes(job, runs, { from, to, ...(modified !== undefined && { modified }) })) {
    const { run, created: isNew } = await deps.ledger.create(missedRun(job, new Date(t), deps.now()));
    if (isNew) {
      deps.log.warn("scheduled fire time with no run: MISSED", {
        job: job.name,
        scheduledTime: run.createdAt,
      });
      created.push(run);
    }
    // Also for a run an earlier sweep created: finishes its alert if that sweep failed to send it.
    await onRunFinal(deps, run);
  }
  await catchUp(deps, job, created, now);
  return created;
}

/**
 * Launches the catch-up runs of fire times found missed now. A sweep that fails after recording the MISSED
 * runs does not catch them up later (they are no longer "found missed"); `ecs-jobs backfill` still can,
 * and launches nothing twice: a catch-up and a backfill of one fire time share their run id.
 */
async function catchUp(deps: RunEndDeps, job: Job, missed: readonly Run[], now: number): Promise<void> {
  const times = catchUpTimes(
    job,
    missed.map((r) => Date.parse(r.trigger.scheduledTime ?? r.createdAt)),
    now,
  );
  const launch = deps.launch ?? launchRun;
  for (const t of times) {
    const run = await launch(deps, rerunRequest(job, new Date(t), "catchUp"));
    deps.log.info("missed fire time caught up", {
      job: job.name,
      scheduledTime: new Date(t),
      runId: run.runId,
    });
    await onRunFinal(deps, run);
  }
}
