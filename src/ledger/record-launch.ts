import { withAggregate } from "../runs/aggregate.ts";
import type { LaunchProgress, Run, TaskState } from "../runs/model.ts";
import type { RunLedger } from "./ledger.ts";

export type LaunchResult = Parameters<RunLedger["recordLaunch"]>[1];

/**
 * A task's event can arrive before the launcher records the RunTask answer. The event then wins for
 * everything it says, but it cannot say which containers are essential (that is in the task definition),
 * so those flags are taken from the launcher's record.
 */
function withEssentialFlags(task: TaskState, launched: TaskState | undefined): TaskState {
  if (!launched) return task;
  const flags = new Map(launched.containers.map((c) => [c.name, c.essential]));
  return {
    ...task,
    containers: task.containers.map((c) => {
      const essential = c.essential ?? flags.get(c.name);
      return essential === undefined ? c : { ...c, essential };
    }),
  };
}

/** Progress only moves forward: a launcher that lost a race with a faster one does not set it back. */
function laterProgress(old: LaunchProgress | undefined, next: LaunchProgress | undefined) {
  if (!next) return old;
  if (old && old.done > next.done) return old;
  return next;
}

/** The run's tasks after a launch answer: each task once per ARN, launched ones taking essential flags. */
export function mergeLaunchedTasks(
  tasks: readonly TaskState[],
  launchedTasks: readonly TaskState[],
): TaskState[] {
  const launched = new Map(launchedTasks.map((t) => [t.taskArn, t]));
  const known = new Set(tasks.map((t) => t.taskArn));
  const fresh = [...launched.values()].filter((t) => !known.has(t.taskArn));
  return [...tasks.map((t) => withEssentialFlags(t, launched.get(t.taskArn))), ...fresh];
}

/** What a launch answer says of the run besides its tasks: failures and notes appended, progress forward. */
export function mergeLaunchFacts<R extends Run>(run: R, result: LaunchResult): R {
  const launch = laterProgress(run.launch, result.progress);
  return {
    ...run,
    failures: [...run.failures, ...result.failures],
    ...(result.notes && { notes: [...(run.notes ?? []), ...result.notes] }),
    ...(launch && { launch }),
  };
}

/** The run after a launch answer: tasks once per ARN, failures and notes appended, status re-aggregated. */
export function mergeLaunch(run: Run, result: LaunchResult): Run {
  return withAggregate({
    ...mergeLaunchFacts(run, result),
    tasks: mergeLaunchedTasks(run.tasks, result.tasks),
  });
}
