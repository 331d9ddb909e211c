import { runCost } from "./cost.ts";
import { formatHint, hintFor } from "./hints.ts";
import { isFinal, type Run, type RunStatus } from "./model.ts";
import { summarizeTasks, type TaskSummary, taskSucceeded } from "./task-summary.ts";

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

export { taskSucceeded };

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

/**
 * `tasks`: the summary of the run's tasks (task-summary.ts); by default of `run.tasks`, given when the tasks
 * are stored apart from the run.
 */
export function aggregateStatus(run: Run, tasks: TaskSummary = summarizeTasks(run.tasks)): RunAggregate {
  const { failures } = run;
  const startedAt = tasks.earliestStart ?? run.startedAt;
  const allKnownStopped = tasks.stopped === tasks.tasks;
  const lastStop = allKnownStopped ? tasks.latestStop : undefined;

  // The sweeper (TIMED_OUT), launcher (MISSED, SKIPPED) or an earlier aggregation decided: keep it.
  if (isFinal(run.status)) {
    return aggregate(run.status, run.startedAt ?? startedAt, run.stoppedAt ?? lastStop, run.hint);
  }

  const expected = run.expectedTasks ?? tasks.tasks;
  const done =
    (tasks.tasks > 0 || failures.length > 0) &&
    allKnownStopped &&
    tasks.stopped + failures.length >= expected;
  if (!done) {
    const ran = tasks.started || run.status === "RUNNING";
    return aggregate(ran ? "RUNNING" : "PENDING", startedAt, undefined, undefined);
  }

  const stoppedAt = lastStop ?? run.stoppedAt;
  if (tasks.failed === 0 && failures.length === 0)
    return aggregate("SUCCEEDED", startedAt, stoppedAt, undefined);

  // RunTask failures happened first (at launch), so they come before any task that ran and failed.
  const failure = failures[0];
  const task = tasks.firstFailed;
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
export function withAggregate(run: Run, tasks: TaskSummary = summarizeTasks(run.tasks)): Run {
  const a = aggregateStatus(run, tasks);
  const { startedAt: _s, stoppedAt: _t, hint: _h, cost: _c, ...rest } = run;
  const next: Run = { ...rest, ...a };
  const cost = runCost(next, tasks);
  return cost ? { ...next, cost } : next;
}
