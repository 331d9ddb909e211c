/**
 * The tasks of generated scenarios for the ledger's properties (ledger-dynamo-cache.test.ts,
 * ledger-split.test.ts): each task started or not, on Fargate or EC2, with one or two containers' exit
 * codes; the events each task's lifecycle makes, and what the launcher records of them from RunTask.
 */
import fc from "fast-check";
import type { EcsTaskDetail } from "../../src/runs/events.ts";
import type { Run, TaskState } from "../../src/runs/model.ts";
import type { LaunchType } from "../support/events.ts";
import { runTaskEvents } from "./harness.ts";

export interface TaskSpec {
  started: boolean;
  launchType: LaunchType;
  exitCodes: (number | null)[];
}

export const taskArb: fc.Arbitrary<TaskSpec> = fc.record({
  started: fc.boolean(),
  launchType: fc.constantFrom<LaunchType>("FARGATE", "EC2"),
  exitCodes: fc.array(fc.oneof(fc.constantFrom(0, 0, 1), fc.constant(null)), { minLength: 1, maxLength: 2 }),
});

/** How many events a task's lifecycle makes (eventsOf). */
export const eventCount = (t: TaskSpec): number => (t.launchType === "FARGATE" ? 1 : 0) + (t.started ? 3 : 2);

export function eventsOf(run: Run, tasks: readonly TaskSpec[]): EcsTaskDetail[] {
  return tasks.flatMap((t, i) =>
    runTaskEvents(run, i, {
      started: t.started,
      stopCode: t.started ? "EssentialContainerExited" : "TaskFailedToStart",
      launchType: t.launchType,
      containers: t.exitCodes.map((exitCode, c) => ({ name: c === 0 ? "app" : "sidecar", exitCode })),
    }).map((e) => e.detail),
  );
}

/** What the launcher records from the RunTask answer: the tasks with their essential flags, no version. */
export const launchedTasks = (events: readonly EcsTaskDetail[]): TaskState[] =>
  [...new Set(events.map((e) => e.taskArn))].map((taskArn) => ({
    taskArn,
    lastStatus: "PROVISIONING",
    containers: [
      { name: "app", essential: true },
      { name: "sidecar", essential: false },
    ],
  }));

/**
 * Deliveries of the events of `tasks` (between `min` and `max` of them): which events come twice, the
 * order they all come in, and what else a property draws per delivered event (`more`, given how many).
 */
export function deliveriesArb<T>(
  bounds: { minLength: number; maxLength: number },
  more: (delivered: number) => fc.Arbitrary<T>,
): fc.Arbitrary<{ tasks: TaskSpec[]; dups: number[]; order: number[] } & T> {
  return fc.array(taskArb, bounds).chain((tasks) => {
    const total = tasks.reduce((n, t) => n + eventCount(t), 0);
    return fc.subarray([...Array(total).keys()]).chain((dups) => {
      const delivered = total + dups.length;
      const order = fc.shuffledSubarray([...Array(delivered).keys()], {
        minLength: delivered,
        maxLength: delivered,
      });
      return fc.tuple(order, more(delivered)).map(([o, rest]) => ({ tasks, dups, order: o, ...rest }));
    });
  });
}
