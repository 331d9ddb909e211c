/**
 * A run's end-work (what follows its end: the next attempt, the alert, the pause check; on-run-final.ts)
 * outlives a failed attempt at it: the write that makes a failed run final marks it pending (`endWork`),
 * which keeps the run on the sweeper's list (the sparse `activePk`, dynamo-table.ts), and the end-work
 * removes the mark once done. A run that ended with no task (MISSED, failed at launch) gets no task event
 * whose redelivery would redo it, so without the mark a failed end-work was lost for good.
 *
 * Only failures are marked (FAILED, TIMED_OUT, MISSED): they are what retries, alerts and pauses act on. A
 * success's only end-work, a RECOVERED alert, comes from a task event whose delivery is retried on failure;
 * marking every success would cost each one a write to unmark it. Items written before the mark existed
 * have none and read as done: no sweep takes up old final runs.
 *
 * A run ended TIMED_OUT or CANCELLED owes StopTask to its tasks (`stopOwed`), marked by the same write: a
 * StopTask that failed past the SDK's retries would otherwise leave the task running (and, under
 * `concurrency: forbid`, skipping later firings). The mark is removed once ECS took every StopTask.
 */
import { isFinal, type Run } from "../runs/model.ts";
import { isFailure } from "./history.ts";

/** Whether a final run has end-work that the mark guards. */
export const hasEndWork = (run: Run): boolean => isFailure(run);

/** Whether a final run's tasks are stopped by ecs-jobs (deadlines.ts, stop-run.ts): StopTask is owed. */
export const owesStop = (run: Run): boolean => run.status === "TIMED_OUT" || run.status === "CANCELLED";

/** `next` marked pending when it is the write that makes a run with end-work final (`before` not final). */
export function markEndWork<T extends Run>(before: Run | undefined, next: T): T {
  if ((before && isFinal(before.status)) || !isFinal(next.status)) return next;
  return {
    ...next,
    ...(hasEndWork(next) && { endWork: "pending" }),
    ...(owesStop(next) && { stopOwed: "pending" }),
  };
}

/** The run without the mark, or undefined when it has none (nothing to write). */
const unmark =
  (mark: "endWork" | "stopOwed") =>
  <T extends Run>(run: T): T | undefined => {
    if (run[mark] === undefined) return undefined;
    const { [mark]: _done, ...rest } = run;
    return rest as T;
  };

/** The run without its end-work mark, or undefined when it has none. */
export const endWorkDone = unmark("endWork");

/** The run without its StopTask mark, or undefined when it has none. */
export const stopDone = unmark("stopOwed");

/** Whether the sweeper must still list the run: not final, or final with its end-work or a stop pending. */
export const needsSweeper = (run: Run): boolean =>
  !isFinal(run.status) || run.endWork === "pending" || run.stopOwed === "pending";
