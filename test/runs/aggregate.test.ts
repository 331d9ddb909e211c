import { describe, expect, it } from "vitest";
import { aggregateStatus, taskSucceeded, withAggregate } from "../../src/runs/aggregate.ts";
import { applyTaskEvent } from "../../src/runs/apply-event.ts";
import type { EcsTaskStateChange } from "../../src/runs/events.ts";
import { formatHint, hintFor } from "../../src/runs/hints.ts";
import type { Run } from "../../src/runs/model.ts";
import { runFixture, taskArnFor, taskEvent, taskLifecycle } from "../support/events.ts";

/** What the status handler does with each event: merge it, then re-aggregate. */
function deliver(run: Run, events: readonly EcsTaskStateChange[]): Run {
  return events.reduce((r, e) => {
    const next = applyTaskEvent(r, e.detail);
    return typeof next === "string" ? r : withAggregate(next);
  }, run);
}

const pullError =
  "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 111122223333.dkr.ecr.us-west-2.amazonaws.com/report:v7: 111122223333.dkr.ecr.us-west-2.amazonaws.com/report:v7: not found";

describe("one task", () => {
  const arn = taskArnFor("one");

  it("is PENDING until the task runs, then RUNNING", () => {
    const [provisioning, pending, running] = taskLifecycle({ taskArn: arn });
    let run = deliver(runFixture({ expectedTasks: 1 }), [provisioning!, pending!]);
    expect(aggregateStatus(run)).toEqual({ status: "PENDING" });
    run = deliver(run, [running!]);
    expect(run.status).toBe("RUNNING");
    expect(run.startedAt).toBe(running!.detail.startedAt);
    expect(run).not.toHaveProperty("stoppedAt");
  });

  it("PENDING → STOPPED with CannotPullContainerError is FAILED with the pull hint", () => {
    const run = deliver(runFixture({ expectedTasks: 1 }), [
      taskEvent({ taskArn: arn, lastStatus: "PENDING", version: 2 }),
      taskEvent({
        taskArn: arn,
        lastStatus: "STOPPED",
        version: 3,
        stopCode: "TaskFailedToStart",
        stoppedReason: `${pullError}`,
        containers: [{ name: "report", reason: pullError }],
      }),
    ]);
    expect(run.status).toBe("FAILED");
    expect(run.hint).toBe(formatHint(hintFor({ containers: [{ name: "report", reason: pullError }] })));
    expect(run.hint).toContain("image");
    expect(run).not.toHaveProperty("startedAt");
    expect(run.tasks[0]).toMatchObject({ stopCode: "TaskFailedToStart", stoppedReason: pullError });
  });

  it("a task that never ran is FAILED even when its exit codes look fine", () => {
    const run = deliver(runFixture({ expectedTasks: 1 }), [
      taskEvent({ taskArn: arn, lastStatus: "PENDING", version: 2 }),
      taskEvent({
        taskArn: arn,
        lastStatus: "STOPPED",
        version: 3,
        started: false,
        stopCode: "TaskFailedToStart",
        stoppedReason: "Task failed to start",
        containers: [{ name: "app", exitCode: 0 }],
      }),
    ]);
    expect(run.status).toBe("FAILED");
    expect(run.hint).toBe(formatHint(hintFor({ stopCode: "TaskFailedToStart" })));
  });

  it("essential container exits 1 while a non-essential sidecar exits 0: FAILED with the exit-code hint", () => {
    const start = runFixture({
      expectedTasks: 1,
      tasks: [
        {
          taskArn: arn,
          lastStatus: "PROVISIONING",
          containers: [
            { name: "app", essential: true },
            { name: "xray", essential: false },
          ],
        },
      ],
    });
    const run = deliver(
      start,
      taskLifecycle({
        taskArn: arn,
        containers: [
          { name: "app", exitCode: 1 },
          { name: "xray", exitCode: 0 },
        ],
      }),
    );
    expect(run.status).toBe("FAILED");
    expect(run.hint).toContain('Container "app" exited with code 1');
  });

  it("a non-essential sidecar's failure does not fail the run", () => {
    const start = runFixture({
      expectedTasks: 1,
      tasks: [
        {
          taskArn: arn,
          lastStatus: "PROVISIONING",
          containers: [
            { name: "app", essential: true },
            { name: "xray", essential: false },
          ],
        },
      ],
    });
    const run = deliver(
      start,
      taskLifecycle({
        taskArn: arn,
        containers: [
          { name: "app", exitCode: 0 },
          { name: "xray", exitCode: 2 },
        ],
      }),
    );
    expect(run.status).toBe("SUCCEEDED");
  });

  it("a container of unknown essentiality counts as essential", () => {
    const run = deliver(
      runFixture({ expectedTasks: 1 }),
      taskLifecycle({
        taskArn: arn,
        containers: [
          { name: "app", exitCode: 0 },
          { name: "xray", exitCode: 2 },
        ],
      }),
    );
    expect(run.status).toBe("FAILED");
    expect(run.hint).toContain('"xray"');
  });

  it("all containers exit 0: SUCCEEDED with start and stop times and no hint", () => {
    const events = taskLifecycle({ taskArn: arn, containers: [{ name: "app" }, { name: "sidecar" }] });
    const run = deliver(runFixture({ expectedTasks: 1 }), events);
    const stopped = events.at(-1)!.detail;
    expect(run.status).toBe("SUCCEEDED");
    expect(run.startedAt).toBe(stopped.startedAt);
    expect(run.stoppedAt).toBe(stopped.stoppedAt);
    expect(run).not.toHaveProperty("hint");
  });

  it("a started task whose essential container reported no exit code is not a success", () => {
    const run = deliver(runFixture({ expectedTasks: 1 }), [
      taskEvent({ taskArn: arn, lastStatus: "RUNNING", version: 3 }),
      taskEvent({
        taskArn: arn,
        lastStatus: "STOPPED",
        version: 4,
        stopCode: "SpotInterruption",
        stoppedReason: "Your Spot Task was interrupted.",
        containers: [{ name: "FargateApp", exitCode: null }],
      }),
    ]);
    expect(run.status).toBe("FAILED");
    expect(run.hint).toBe(formatHint(hintFor({ stopCode: "SpotInterruption" })));
  });
});

describe("several tasks", () => {
  const arns = [taskArnFor("a"), taskArnFor("b"), taskArnFor("c")];

  it("3 tasks, one fails: RUNNING until all stopped, then FAILED with that task's hint", () => {
    const run0 = runFixture({ expectedTasks: 3 });
    const ok0 = taskLifecycle({ taskArn: arns[0]! });
    const bad = taskLifecycle({ taskArn: arns[1]!, containers: [{ name: "FargateApp", exitCode: 127 }] });
    const ok2 = taskLifecycle({ taskArn: arns[2]! });
    const partial = deliver(run0, [...ok0, ...bad]);
    expect(partial.status).toBe("RUNNING");
    expect(partial).not.toHaveProperty("hint");
    const run = deliver(partial, ok2);
    expect(run.status).toBe("FAILED");
    expect(run.hint).toContain("exited with code 127");
    expect(run.tasks.filter((t) => taskSucceeded(t))).toHaveLength(2);
  });

  it("waits for tasks it has not heard of yet", () => {
    const run = deliver(runFixture({ expectedTasks: 3 }), [
      ...taskLifecycle({ taskArn: arns[0]! }),
      ...taskLifecycle({ taskArn: arns[1]! }),
    ]);
    expect(run.status).toBe("RUNNING");
  });

  it("the hint comes from the task that failed first", () => {
    const later = taskLifecycle({
      taskArn: arns[0]!,
      createdAt: "2020-01-23T18:10:00.000Z",
      containers: [{ name: "app", exitCode: 1 }],
    });
    const earlier = taskLifecycle({
      taskArn: arns[1]!,
      createdAt: "2020-01-23T18:00:00.000Z",
      containers: [{ name: "app", exitCode: 137 }],
    });
    const run = deliver(runFixture({ expectedTasks: 2 }), [...later, ...earlier]);
    expect(run.hint).toContain("exited with code 137");
    expect(run.startedAt).toBe(earlier.at(-1)!.detail.startedAt);
    expect(run.stoppedAt).toBe(later.at(-1)!.detail.stoppedAt);
  });

  it("duplicate and out-of-order events change nothing", () => {
    const a = taskLifecycle({ taskArn: arns[0]! });
    const b = taskLifecycle({ taskArn: arns[1]!, containers: [{ name: "app", exitCode: 139 }] });
    const inOrder = deliver(runFixture({ expectedTasks: 2 }), [...a, ...b]);
    const scrambled = deliver(runFixture({ expectedTasks: 2 }), [
      b[3]!,
      a[1]!,
      a[1]!,
      b[0]!,
      a[3]!,
      a[0]!,
      b[3]!,
      a[2]!,
      b[2]!,
    ]);
    const byArn = (r: Run) => [...r.tasks].sort((x, y) => x.taskArn.localeCompare(y.taskArn));
    expect(byArn(scrambled)).toEqual(byArn(inOrder));
    expect(aggregateStatus(scrambled)).toEqual(aggregateStatus(inOrder));
    expect(scrambled.status).toBe("FAILED");
  });
});

describe("RunTask failures", () => {
  const failure = {
    arn: "arn:aws:ecs:us-west-2:111122223333:container-instance/jobs/b54a2a04",
    reason: "RESOURCE:MEMORY",
  };

  it("a run whose only task could not be placed is FAILED with the placement hint", () => {
    const a = aggregateStatus(runFixture({ expectedTasks: 1, failures: [failure] }));
    expect(a.status).toBe("FAILED");
    expect(a.hint).toBe(formatHint(hintFor({ failures: [failure] })));
    expect(a.hint).toContain("memory");
  });

  it("placed tasks still run; the run fails once they stop, even if they succeed", () => {
    const arn = taskArnFor("placed");
    const [p, q, running, stopped] = taskLifecycle({ taskArn: arn });
    const run0 = runFixture({ expectedTasks: 2, failures: [failure] });
    const running1 = deliver(run0, [p!, q!, running!]);
    expect(running1.status).toBe("RUNNING");
    const done = deliver(running1, [stopped!]);
    expect(done.status).toBe("FAILED");
    expect(done.hint).toBe(formatHint(hintFor({ failures: [failure] })));
  });

  it("a run with neither tasks nor failures is still PENDING", () => {
    expect(aggregateStatus(runFixture())).toEqual({ status: "PENDING" });
  });
});

describe("final statuses set by others", () => {
  const arn = taskArnFor("final");

  it.each(["TIMED_OUT", "MISSED", "SKIPPED"] as const)("%s is never overwritten", (status) => {
    const run0 = runFixture({ status, hint: "Stopped after the 1h timeout.", expectedTasks: 1 });
    const run = deliver(run0, taskLifecycle({ taskArn: arn, containers: [{ name: "app", exitCode: 0 }] }));
    expect(run.status).toBe(status);
    expect(run.hint).toBe("Stopped after the 1h timeout.");
    expect(run.tasks[0]!.lastStatus).toBe("STOPPED");
  });

  it("fills in the stop time of a timed-out run once its task stops", () => {
    const events = taskLifecycle({
      taskArn: arn,
      stopCode: "UserInitiated",
      stoppedReason: "Task stopped by user",
    });
    const run = deliver(runFixture({ status: "TIMED_OUT", expectedTasks: 1 }), events);
    expect(run.stoppedAt).toBe(events.at(-1)!.detail.stoppedAt);
  });

  it("a run that already SUCCEEDED keeps its status", () => {
    const run = runFixture({
      status: "SUCCEEDED",
      tasks: [{ taskArn: arn, lastStatus: "STOPPED", started: false, containers: [] }],
    });
    expect(aggregateStatus(run).status).toBe("SUCCEEDED");
  });
});
