import { runCost } from "./cost.ts";
import { formatHint, hintFor } from "./hints.ts";
import { type ContainerState, isFinal, type Run, type RunStatus, type TaskState } from "./model.ts";

/*
 * A run's status from its tasks and RunTask failures (SPEC section 4):
 * PENDING until a task runs; RUNNING while any task has run and not all are done; once every expected
 * task stopped (or RunTask failures account for the ones never placed), SUCCEEDED iff every task ran and
 * every essential container exited 0, otherwise FAILED with a hint.
 */

export interface RunAggregate {
  status: RunStatus;
  startedAt?: string;
  stoppedAt?: string;
  hint?: string;
}

const isEssential = (c: ContainerState): boolean => c.essential !== false;

/**
 * A task that never ran failed to start, whatever its exit codes say. A task with no essential container
 * on record cannot be shown to have succeeded (ECS requires at least one), so it does not count as one.
 */
export function taskSucceeded(t: TaskState): boolean {
  if (t.lastStatus !== "STOPPED" || t.started !== true) return false;
  const essential = t.containers.filter(isEssential);
  return essential.length > 0 && essential.every((c) => c.exitCode === 0);
}

const time = (iso: string | undefined): number => (iso === undefined ? Number.NaN : Date.parse(iso));

function pick(
  values: readonly (string | undefined)[],
  better: (a: number, b: number) => boolean,
): string | undefined {
  let best: string | undefined;
  for (const v of values) {
    if (v === undefined || Number.isNaN(time(v))) continue;
    if (best === undefined || better(time(v), time(best))) best = v;
  }
  return best;
}

const earliest = (values: readonly (string | undefined)[]) => pick(values, (a, b) => a < b);
const latest = (values: readonly (string | undefined)[]) => pick(values, (a, b) => a > b);

/** The task that failed first is most likely the cause; ties and missing times fall back to ARN order. */
function firstFailed(tasks: readonly TaskState[]): TaskState | undefined {
  const key = (t: TaskState) => {
    const ms = time(t.stoppedAt);
    return Number.isNaN(ms) ? Number.POSITIVE_INFINITY : ms;
  };
  return [...tasks].sort(
    (a, b) => key(a) - key(b) || (a.taskArn < b.taskArn ? -1 : a.taskArn > b.taskArn ? 1 : 0),
  )[0];
}

function aggregate(
  status: RunStatus,
  startedAt: string | undefined,
  stoppedAt: string | undefined,
  hint: string | undefined,
): RunAggregate {
  return {
    status,
    ...(startedAt !== undefined && { startedAt }),
    ...(stoppedAt !== undefined && { stoppedAt }),
    ...(hint !== undefined && { hint }),
  };
}

export function aggregateStatus(run: Run): RunAggregate {
  const { tasks, failures } = run;
  const startedAt = earliest(tasks.map((t) => t.startedAt)) ?? run.startedAt;
  const allKnownStopped = tasks.every((t) => t.lastStatus === "STOPPED");
  const lastStop = allKnownStopped ? latest(tasks.map((t) => t.stoppedAt)) : undefined;

  // The sweeper (TIMED_OUT), launcher (MISSED, SKIPPED) or an earlier aggregation decided: keep it.
  if (isFinal(run.status)) {
    return aggregate(run.status, run.startedAt ?? startedAt, run.stoppedAt ?? lastStop, run.hint);
  }

  const expected = run.expectedTasks ?? tasks.length;
  const stoppedCount = tasks.filter((t) => t.lastStatus === "STOPPED").length;
  const done =
    (tasks.length > 0 || failures.length > 0) &&
    allKnownStopped &&
    stoppedCount + failures.length >= expected;
  if (!done) {
    const ran = tasks.some((t) => t.started === true) || run.status === "RUNNING";
    return aggregate(ran ? "RUNNING" : "PENDING", startedAt, undefined, undefined);
  }

  const stoppedAt = lastStop ?? run.stoppedAt;
  const failed = tasks.filter((t) => !taskSucceeded(t));
  if (failed.length === 0 && failures.length === 0)
    return aggregate("SUCCEEDED", startedAt, stoppedAt, undefined);

  // RunTask failures happened first (at launch), so they come before any task that ran and failed.
  const failure = failures[0];
  const task = firstFailed(failed);
  const hint = failure
    ? hintFor({ failures: [failure] })
    : hintFor({
        stopCode: task?.stopCode,
        stoppedReason: task?.stoppedReason,
        containers: task?.containers,
        wasStarted: task?.started === true,
      });
  return aggregate("FAILED", startedAt, stoppedAt, formatHint(hint));
}

/** The run with its aggregated status, times, hint and (once it is final) cost written back. */
export function withAggregate(run: Run): Run {
  const a = aggregateStatus(run);
  const { startedAt: _s, stoppedAt: _t, hint: _h, cost: _c, ...rest } = run;
  const next: Run = { ...rest, ...a };
  const cost = runCost(next);
  return cost ? { ...next, cost } : next;
}
