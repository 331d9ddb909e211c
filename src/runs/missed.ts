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
import { ListSchedulesCommand } from "@aws-sdk/client-scheduler";
import type { Deps } from "../deps.ts";
import { runIdFor } from "../launch/run-id.ts";
import { parseScheduleExpression, type ScheduleExpression } from "../schedule/expression.ts";
import { nextFireTimes } from "../schedule/next.ts";
import type { Job } from "../spec/schema.ts";
import { onRunFinal } from "./finalize.ts";
import { loadJobRuns } from "./history.ts";
import type { Run, Trigger } from "./model.ts";
import type { RunActionDeps } from "./retry.ts";

const MINUTE = 60_000;
export const LOOKBACK_MINUTES = 60;
export const DEFAULT_GRACE_MINUTES = 10;
const MAX_FIRES = 120;

export interface ScheduleInfo {
  created?: Date;
  modified?: Date;
}

/** The job schedules the group holds ENABLED, by name (paused ones are not checked). */
export async function enabledSchedules(
  deps: Pick<Deps, "clients" | "config">,
): Promise<Map<string, ScheduleInfo>> {
  const out = new Map<string, ScheduleInfo>();
  let NextToken: string | undefined;
  do {
    const page = await deps.clients.scheduler.send(
      new ListSchedulesCommand({
        GroupName: deps.config.scheduleGroup,
        State: "ENABLED",
        MaxResults: 100,
        ...(NextToken && { NextToken }),
      }),
    );
    for (const s of page.Schedules ?? []) {
      if (!s.Name) continue;
      out.set(s.Name, {
        ...(s.CreationDate && { created: s.CreationDate }),
        ...(s.LastModificationDate && { modified: s.LastModificationDate }),
      });
    }
    NextToken = page.NextToken;
  } while (NextToken);
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

/** Fire times in (from, to] that no recorded run answers. */
export function unansweredFireTimes(
  job: Job,
  runs: readonly Run[],
  window: { from: number; to: number; modified?: number },
) {
  const s = job.spec.schedule;
  const parsed = s && parseScheduleExpression(s.expression);
  if (!s || !parsed?.ok) return [];
  const expr = parsed.value;
  const recorded = scheduledTimes(runs);
  const flex = s.flexibleWindowMinutes * MINUTE;
  const startDate = s.startDate ? Date.parse(s.startDate) : undefined;
  const endDate = s.endDate ? Date.parse(s.endDate) : undefined;
  let times: number[];
  let before = MINUTE;
  let after = MINUTE;
  if (expr.kind === "rate") {
    const sinceModified = recorded.filter((t) => t >= (window.modified ?? 0));
    const anchor = sinceModified.length > 0 ? Math.max(...sinceModified) : (startDate ?? window.modified);
    if (anchor === undefined) return [];
    times = rateFireTimes(expr, window.from, window.to, anchor).filter(
      (t) => (startDate === undefined || t >= startDate) && (endDate === undefined || t <= endDate),
    );
    before = Math.max(MINUTE, expr.intervalMs / 2);
    after = before;
  } else {
    times = nextFireTimes(expr, {
      timezone: s.timezone,
      from: new Date(window.from),
      count: MAX_FIRES,
      ...(startDate !== undefined && { startDate: new Date(startDate) }),
      ...(endDate !== undefined && { endDate: new Date(endDate) }),
    })
      .map((d) => d.getTime())
      .filter((t) => t <= window.to);
  }
  // A run's scheduledTime is the fire time; allow for one delivered late within the flexible window.
  return times.filter((t) => !recorded.some((r) => r >= t - before && r < t + after + flex));
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

/** Records (once) and alerts the missed fire times of one job; resolves to the runs created now. */
export async function reportMissed(deps: RunActionDeps, job: Job, info: ScheduleInfo): Promise<Run[]> {
  const now = deps.now().getTime();
  const to = now - graceMs(job);
  const modified = (info.modified ?? info.created)?.getTime();
  const from = Math.max(to - LOOKBACK_MINUTES * MINUTE, modified ?? Number.NEGATIVE_INFINITY);
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
  return created;
}
