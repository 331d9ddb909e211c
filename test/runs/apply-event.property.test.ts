import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { withAggregate } from "../../src/runs/aggregate.ts";
import { applyTaskEvent } from "../../src/runs/apply-event.ts";
import type { EcsTaskStateChange } from "../../src/runs/events.ts";
import { foldTaskEvents } from "../../src/runs/fold-events.ts";
import { isFinal, type Run, type RunStatus, type TaskState } from "../../src/runs/model.ts";
import { type LaunchType, runFixture, taskArnFor, taskLifecycle } from "../support/events.ts";

const stopCodes = (
  JSON.parse(readFileSync(resolve(import.meta.dirname, "../../../shared/aws-models/ecs.json"), "utf8")) as {
    shapes: { TaskStopCode: { enum: string[] } };
  }
).shapes.TaskStopCode.enum;

interface ContainerSpec {
  name: string;
  exitCode: number | null;
  essential: boolean | undefined;
  reason: string | undefined;
}
interface TaskSpec {
  started: boolean;
  stopCode: string;
  launchType: LaunchType;
  minutesLate: number;
  containers: ContainerSpec[];
}
interface RunSpec {
  tasks: TaskSpec[];
  failures: string[];
  /** Whether the launcher recorded the tasks (with essential flags) before any event arrived. */
  prepopulated: boolean;
}

const containerArb = (name: string): fc.Arbitrary<ContainerSpec> =>
  fc.record({
    name: fc.constant(name),
    exitCode: fc.oneof(fc.constantFrom(0, 0, 0, 1, 2, 126, 127, 137, 139, 143, 255), fc.constant(null)),
    essential: fc.option(fc.boolean(), { nil: undefined }),
    reason: fc.option(
      fc.constantFrom(
        "OutOfMemoryError: Container killed due to memory usage",
        "CannotPullContainerError: context canceled",
        "Essential container in task exited",
      ),
      { nil: undefined },
    ),
  });

const taskArb: fc.Arbitrary<TaskSpec> = fc.record({
  started: fc.boolean(),
  stopCode: fc.constantFrom(...stopCodes),
  launchType: fc.constantFrom<LaunchType>("FARGATE", "EC2"),
  minutesLate: fc.integer({ min: 0, max: 30 }),
  containers: fc
    .integer({ min: 1, max: 3 })
    .chain((n) => fc.tuple(...["app", "sidecar", "log-router"].slice(0, n).map(containerArb))),
});

const randomRunArb: fc.Arbitrary<RunSpec> = fc.record({
  tasks: fc.array(taskArb, { minLength: 1, maxLength: 12 }),
  failures: fc.array(
    fc.constantFrom(
      "RESOURCE:MEMORY",
      "AGENT",
      "Capacity is unavailable at this time. Please try again later or in a different availability zone",
    ),
    { maxLength: 2 },
  ),
  prepopulated: fc.boolean(),
});

/**
 * Random runs almost never succeed (every task of up to 12 must), so half the runs are healthy: every
 * task ran and its essential containers exited 0, while non-essential ones still exit with anything.
 */
const healthy = (spec: RunSpec): RunSpec => ({
  ...spec,
  failures: [],
  tasks: spec.tasks.map((t) => ({
    ...t,
    started: true,
    stopCode: "EssentialContainerExited",
    containers: t.containers.map((c) =>
      spec.prepopulated && c.essential === false ? c : { ...c, exitCode: 0, reason: undefined },
    ),
  })),
});

const runArb: fc.Arbitrary<RunSpec> = fc
  .tuple(randomRunArb, fc.boolean())
  .map(([spec, isHealthy]) => (isHealthy ? healthy(spec) : spec));

const arnOf = (i: number) => taskArnFor(`property-${i}`);

function initialRun(spec: RunSpec): Run {
  return runFixture({
    expectedTasks: spec.tasks.length + spec.failures.length,
    failures: spec.failures.map((reason) => ({ reason })),
    tasks: spec.prepopulated
      ? spec.tasks.map(
          (t, i): TaskState => ({
            taskArn: arnOf(i),
            lastStatus: "PROVISIONING",
            containers: t.containers.map((c) => ({
              name: c.name,
              ...(c.essential !== undefined && { essential: c.essential }),
            })),
          }),
        )
      : [],
  });
}

/** Each task's events in version order, task after task. */
function eventsOf(spec: RunSpec): EcsTaskStateChange[] {
  return spec.tasks.flatMap((t, i) =>
    taskLifecycle({
      taskArn: arnOf(i),
      launchType: t.launchType,
      started: t.started,
      stopCode: t.stopCode,
      createdAt: new Date(Date.UTC(2020, 0, 23, 18, t.minutesLate)).toISOString(),
      containers: t.containers.map((c) => ({
        name: c.name,
        exitCode: c.exitCode,
        ...(c.reason !== undefined && { reason: c.reason }),
      })),
    }),
  );
}

/** What SPEC section 4 says the outcome must be, worked out from the spec rather than from the run. */
function expectedStatus(spec: RunSpec): RunStatus {
  const ok = spec.tasks.every((t) => {
    const essential = t.containers.filter((c) => !spec.prepopulated || c.essential !== false);
    return t.started && essential.length > 0 && essential.every((c) => c.exitCode === 0);
  });
  return ok && spec.failures.length === 0 ? "SUCCEEDED" : "FAILED";
}

const rank = (s: RunStatus) => (isFinal(s) ? 2 : s === "RUNNING" ? 1 : 0);

/** Delivers events as the status handler does, checking that the status only ever moves forward. */
function deliver(run: Run, events: readonly EcsTaskStateChange[]): Run {
  let r = run;
  for (const e of events) {
    const next = applyTaskEvent(r, e.detail);
    if (typeof next === "string") continue;
    const aggregated = withAggregate(next);
    expect(rank(aggregated.status)).toBeGreaterThanOrEqual(rank(r.status));
    if (isFinal(r.status)) expect(aggregated.status).toBe(r.status);
    r = aggregated;
  }
  return r;
}

const normalised = (r: Run) => ({
  ...r,
  tasks: [...r.tasks].sort((a, b) => a.taskArn.localeCompare(b.taskArn)),
});

describe("event delivery order", () => {
  it("any order with duplicates gives the same run as delivery in order", () => {
    const scenario = runArb.chain((spec) => {
      const events = eventsOf(spec);
      return fc
        .array(fc.nat({ max: events.length - 1 }), { maxLength: events.length })
        .chain((dupes) => {
          const all = [...events, ...dupes.map((i) => events[i]!)];
          return fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length });
        })
        .map((shuffled) => ({ spec, events, shuffled }));
    });

    fc.assert(
      fc.property(scenario, ({ spec, events, shuffled }) => {
        const inOrder = deliver(initialRun(spec), events);
        const anyOrder = deliver(initialRun(spec), shuffled);
        expect(normalised(anyOrder)).toEqual(normalised(inOrder));
        expect(inOrder.status).toBe(expectedStatus(spec));
        expect(inOrder.tasks).toHaveLength(spec.tasks.length);
        expect(inOrder.hint === undefined).toBe(inOrder.status === "SUCCEEDED");
      }),
      { numRuns: 150 },
    );
  });
});

describe("batches (SQS, reconcile)", () => {
  it("a stream cut into batches anywhere, each folded in one go, ends where one-by-one delivery does", () => {
    const scenario = runArb.chain((spec) => {
      const events = eventsOf(spec);
      return fc
        .shuffledSubarray(events, { minLength: events.length, maxLength: events.length })
        .chain((shuffled) =>
          fc
            .uniqueArray(fc.nat({ max: Math.max(0, shuffled.length - 1) }), { maxLength: shuffled.length })
            .map((cuts) => ({ spec, shuffled, cuts: [...cuts].sort((a, b) => a - b) })),
        );
    });
    fc.assert(
      fc.property(scenario, ({ spec, shuffled, cuts }) => {
        const single = deliver(initialRun(spec), shuffled);
        let batched = initialRun(spec);
        const bounds = [0, ...cuts, shuffled.length];
        for (let i = 0; i + 1 < bounds.length; i++) {
          const details = shuffled.slice(bounds[i], bounds[i + 1]).map((e) => e.detail);
          batched = foldTaskEvents(batched, details) ?? batched;
        }
        expect(normalised(batched)).toEqual(normalised(single));
        // Folding everything again changes nothing: every event is now a duplicate or stale.
        expect(
          foldTaskEvents(
            batched,
            shuffled.map((e) => e.detail),
          ),
        ).toBeUndefined();
      }),
      { numRuns: 150 },
    );
  });
});
