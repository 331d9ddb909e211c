import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/errors.ts";
import { applyTaskEvent } from "../../src/runs/apply-event.ts";
import { EcsTaskStateChangeSchema, parseEcsTaskStateChange } from "../../src/runs/events.ts";
import type { Run } from "../../src/runs/model.ts";
import {
  loadFixture,
  loadTaskFixture,
  runFixture,
  taskArnFor,
  taskEvent,
  taskLifecycle,
} from "../support/events.ts";

const arn = taskArnFor("apply-1");

function applied(run: Run, ...events: ReturnType<typeof taskEvent>[]): Run {
  let r = run;
  for (const e of events) {
    const next = applyTaskEvent(r, e.detail);
    if (typeof next === "string") throw new Error(`event v${e.detail.version} was ${next}`);
    r = next;
  }
  return r;
}

describe("EcsTaskStateChangeSchema", () => {
  it.each(["FARGATE", "EC2"] as const)(
    "accepts the real %s fixture and keeps unknown fields",
    (launchType) => {
      const raw = loadTaskFixture(launchType);
      const parsed = EcsTaskStateChangeSchema.parse(raw);
      expect(parsed.detail.version).toBe(4);
      expect(parsed.detail.lastStatus).toBe("RUNNING");
      expect(parsed.detail).toEqual(raw.detail);
    },
  );

  it("rejects other event types", () => {
    expect(() => parseEcsTaskStateChange(loadFixture("ecs-container-instance-state-change"))).toThrow(
      ValidationError,
    );
  });

  it.each([
    ["detail.version", (d: Record<string, unknown>) => Object.assign(d, { version: "4" })],
    ["detail.taskArn", (d: Record<string, unknown>) => Object.assign(d, { taskArn: undefined })],
    ["detail.startedAt", (d: Record<string, unknown>) => Object.assign(d, { startedAt: "yesterday" })],
    [
      "detail.containers.0.exitCode",
      (d: Record<string, unknown>) =>
        Object.assign((d.containers as Record<string, unknown>[])[0]!, { exitCode: "1" }),
    ],
  ])("names the bad field %s", (field, spoil) => {
    const raw = loadTaskFixture() as unknown as { detail: Record<string, unknown> };
    spoil(raw.detail);
    try {
      parseEcsTaskStateChange(raw);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).field).toBe(field);
      expect((e as ValidationError).message).toContain(field);
    }
  });
});

describe("taskEvent (test support)", () => {
  it("PENDING has no startedAt and no exit codes", () => {
    const e = taskEvent({ lastStatus: "PENDING", version: 2 });
    expect(e.detail).not.toHaveProperty("startedAt");
    expect(e.detail).not.toHaveProperty("stoppedAt");
    expect(e.detail.containers.every((c) => c.exitCode === undefined && c.lastStatus === "PENDING")).toBe(
      true,
    );
  });

  it("STOPPED carries the stop fields and exit codes, typed as in the fixture", () => {
    const e = taskEvent({ lastStatus: "STOPPED", version: 5, containers: [{ name: "app", exitCode: 3 }] });
    const fixture = loadTaskFixture();
    expect(e.detail).toMatchObject({ stopCode: "EssentialContainerExited", desiredStatus: "STOPPED" });
    for (const k of ["stoppedAt", "executionStoppedAt", "stoppingAt", "startedAt", "stoppedReason"]) {
      expect(typeof (e.detail as Record<string, unknown>)[k]).toBe("string");
    }
    expect(e.detail.containers[0]).toMatchObject({ name: "app", exitCode: 3, lastStatus: "STOPPED" });
    expect(Object.keys(e).sort()).toEqual(Object.keys(fixture).sort());
    expect(typeof e.detail.version).toBe(typeof fixture.detail.version);
    expect((e.detail as Record<string, unknown>).cpu).toBe("256");
  });

  it("a task that failed to start stops without startedAt or exit codes", () => {
    const e = taskEvent({ lastStatus: "STOPPED", version: 3, stopCode: "TaskFailedToStart" });
    expect(e.detail).not.toHaveProperty("startedAt");
    expect(e.detail.containers[0]).not.toHaveProperty("exitCode");
  });

  it("derives the cluster from the task ARN and numbers the lifecycle", () => {
    const events = taskLifecycle({ taskArn: taskArnFor(7, "jobs") });
    expect(events.map((e) => [e.detail.lastStatus, e.detail.version])).toEqual([
      ["PROVISIONING", 1],
      ["PENDING", 2],
      ["RUNNING", 3],
      ["STOPPED", 4],
    ]);
    expect(events[0]!.detail.clusterArn).toBe("arn:aws:ecs:us-west-2:111122223333:cluster/jobs");
    expect(events[0]!.resources).toEqual([taskArnFor(7, "jobs")]);
  });
});

describe("applyTaskEvent", () => {
  it("adds an unknown task, not started while PENDING", () => {
    const run = applied(runFixture(), taskEvent({ taskArn: arn, lastStatus: "PENDING", version: 2 }));
    expect(run.tasks).toEqual([
      {
        taskArn: arn,
        lastStatus: "PENDING",
        version: 2,
        started: false,
        containers: [{ name: "FargateApp", lastStatus: "PENDING" }],
        billing: { cpu: "256", memory: "512", launchType: "FARGATE" },
      },
    ]);
  });

  it("marks a task started once it is RUNNING", () => {
    const run = applied(
      runFixture(),
      taskEvent({ taskArn: arn, lastStatus: "PENDING", version: 2 }),
      taskEvent({ taskArn: arn, lastStatus: "RUNNING", version: 3 }),
    );
    expect(run.tasks[0]).toMatchObject({
      lastStatus: "RUNNING",
      started: true,
      startedAt: "2020-01-23T17:57:58.402Z",
    });
  });

  it("copies stop code, reason, times and container results from STOPPED", () => {
    const stopped = taskEvent({
      taskArn: arn,
      lastStatus: "STOPPED",
      version: 4,
      stoppedReason: "Essential container in task exited",
      containers: [
        { name: "app", exitCode: 1, reason: "boom" },
        { name: "sidecar", exitCode: 0 },
      ],
    });
    const task = applied(runFixture(), stopped).tasks[0]!;
    expect(task).toEqual({
      taskArn: arn,
      lastStatus: "STOPPED",
      version: 4,
      started: true,
      stopCode: "EssentialContainerExited",
      stoppedReason: "Essential container in task exited",
      startedAt: stopped.detail.startedAt,
      stoppedAt: stopped.detail.stoppedAt,
      containers: [
        { name: "app", exitCode: 1, reason: "boom", lastStatus: "STOPPED" },
        { name: "sidecar", exitCode: 0, lastStatus: "STOPPED" },
      ],
      billing: {
        cpu: "256",
        memory: "512",
        launchType: "FARGATE",
        pullStartedAt: stopped.detail.pullStartedAt,
      },
    });
  });

  it("PENDING → STOPPED never started", () => {
    const run = applied(
      runFixture(),
      taskEvent({ taskArn: arn, lastStatus: "PENDING", version: 2 }),
      taskEvent({ taskArn: arn, lastStatus: "STOPPED", version: 3, stopCode: "TaskFailedToStart" }),
    );
    expect(run.tasks[0]).toMatchObject({
      lastStatus: "STOPPED",
      started: false,
      stopCode: "TaskFailedToStart",
    });
    expect(run.tasks[0]).not.toHaveProperty("startedAt");
  });

  it("a repeated version is a duplicate and an older one is stale", () => {
    const run = applied(runFixture(), taskEvent({ taskArn: arn, lastStatus: "RUNNING", version: 3 }));
    expect(applyTaskEvent(run, taskEvent({ taskArn: arn, lastStatus: "RUNNING", version: 3 }).detail)).toBe(
      "duplicate",
    );
    expect(applyTaskEvent(run, taskEvent({ taskArn: arn, lastStatus: "PENDING", version: 2 }).detail)).toBe(
      "stale",
    );
    // Even a duplicate whose content differs changes nothing: the version decides.
    expect(applyTaskEvent(run, taskEvent({ taskArn: arn, lastStatus: "STOPPED", version: 3 }).detail)).toBe(
      "duplicate",
    );
  });

  it("updates a task the launcher recorded without a version, keeping container essential flags", () => {
    const run = runFixture({
      expectedTasks: 1,
      tasks: [
        {
          taskArn: arn,
          lastStatus: "PROVISIONING",
          containers: [
            { name: "app", essential: true },
            { name: "log-router", essential: false },
          ],
        },
      ],
    });
    const next = applied(
      run,
      taskEvent({
        taskArn: arn,
        lastStatus: "STOPPED",
        version: 5,
        containers: [
          { name: "app", exitCode: 0 },
          { name: "log-router", exitCode: 1 },
        ],
      }),
    );
    expect(next.tasks).toHaveLength(1);
    expect(next.tasks[0]!.containers).toEqual([
      { name: "app", exitCode: 0, lastStatus: "STOPPED", essential: true },
      { name: "log-router", exitCode: 1, lastStatus: "STOPPED", essential: false },
    ]);
  });

  it("leaves other tasks alone and does not mutate the run it was given", () => {
    const other = taskArnFor("other");
    const run = applied(runFixture(), taskEvent({ taskArn: other, lastStatus: "RUNNING", version: 3 }));
    const snapshot = structuredClone(run);
    const next = applied(run, taskEvent({ taskArn: arn, lastStatus: "PENDING", version: 2 }));
    expect(run).toEqual(snapshot);
    expect(next.tasks.map((t) => t.taskArn)).toEqual([other, arn]);
    expect(next.tasks[0]).toEqual(run.tasks[0]);
  });
});
