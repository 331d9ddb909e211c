import { DescribeTasksCommand, StopTaskCommand, type Task } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { dueForReconcile } from "../../src/app/reconcile.ts";
import { sweep } from "../../src/app/sweep.ts";
import type { EcsTaskStateChange } from "../../src/runs/events.ts";
import type { Run } from "../../src/runs/model.ts";
import { applyEvent } from "../support/status-path.ts";
import { launchedRun, mocks, runDeps, runTaskEvents, sentAlerts, testJob, useRunMocks } from "./harness.ts";

useRunMocks();

const at = (iso: string) => new Date(iso);

/** The task as DescribeTasks answers it through the SDK: the event's detail, with Dates for its times. */
const described = (event: EcsTaskStateChange): Task =>
  Object.fromEntries(
    Object.entries(event.detail).map(([k, v]) =>
      k.endsWith("At") && typeof v === "string" ? [k, new Date(v)] : [k, v],
    ),
  ) as Task;

/**
 * A one-task run that got every event but the last: the STOPPED event (exit code `exitCode`) was lost.
 * The run was created at 11:00:05.
 */
async function lostStop(deps: ReturnType<typeof runDeps>, exitCode: number, overrides: Partial<Run> = {}) {
  const run = launchedRun("report", overrides);
  await deps.ledger.create(run);
  const events = runTaskEvents(run, 0, { containers: [{ name: "app", exitCode }] });
  for (const e of events.slice(0, -1)) await applyEvent(deps, e);
  const running = (await deps.ledger.get(run.runId))!;
  expect(running.status).toBe("RUNNING");
  return { run: running, events, stopped: events[events.length - 1]! };
}

describe("the sweeper applies task events that were lost, from DescribeTasks", () => {
  it("ends a run whose STOPPED event never came, as that event would have", async () => {
    const deps = runDeps([testJob()], { now: at("2026-03-10T11:05:00Z") });
    const { run, stopped } = await lostStop(deps, 0);
    mocks.ecs.on(DescribeTasksCommand).resolves({ tasks: [described(stopped)], failures: [] });

    const report = await sweep(deps);
    expect(report.reconciled).toEqual([run.runId]);
    expect(mocks.ecs).toHaveReceivedCommandWith(DescribeTasksCommand, {
      cluster: "FargateCluster",
      tasks: [run.tasks[0]!.taskArn],
    });
    const after = await deps.ledger.get(run.runId);
    expect(after?.status).toBe("SUCCEEDED");
    expect(after?.tasks[0]).toMatchObject({
      lastStatus: "STOPPED",
      containers: [{ name: "app", exitCode: 0 }],
    });
    // The status handler gets the lost event late after all: a duplicate, nothing changes.
    expect(await applyEvent(deps, stopped)).toBe("unchanged");
  });

  it("acts on the run's end like the status handler: a lost failure is alerted, once", async () => {
    const deps = runDeps([testJob("alerts:\n  on: [FAILED]\n")], { now: at("2026-03-10T11:05:00Z") });
    const { run, stopped } = await lostStop(deps, 3);
    mocks.ecs.on(DescribeTasksCommand).resolves({ tasks: [described(stopped)] });

    await sweep(deps);
    expect((await deps.ledger.get(run.runId))?.status).toBe("FAILED");
    expect(sentAlerts().map((a) => a.detailType)).toEqual(["ECS Job Run FAILED"]);
    await sweep(deps);
    expect(sentAlerts()).toHaveLength(1);
  });

  it("finds the run's end before its timeout would call it TIMED_OUT and stop its tasks", async () => {
    const job = testJob("policy:\n  timeoutMinutes: 30\nalerts:\n  on: [FAILED, TIMED_OUT]\n");
    const deps = runDeps([job], { now: at("2026-03-10T11:40:00Z") });
    const { run, stopped } = await lostStop(deps, 0);
    mocks.ecs.on(DescribeTasksCommand).resolves({ tasks: [described(stopped)] });

    const report = await sweep(deps);
    expect(report).toMatchObject({ reconciled: [run.runId], timedOut: [] });
    expect((await deps.ledger.get(run.runId))?.status).toBe("SUCCEEDED");
    expect(mocks.ecs).not.toHaveReceivedCommand(StopTaskCommand);
    expect(sentAlerts()).toEqual([]);
  });

  it("writes a many-task run once for all its described tasks", async () => {
    const deps = runDeps([testJob()], { now: at("2026-03-10T11:05:00Z") });
    const run = launchedRun("report", { expectedTasks: 3 });
    await deps.ledger.create(run);
    const lifecycles = [0, 1, 2].map((t) => runTaskEvents(run, t));
    for (const events of lifecycles) for (const e of events.slice(0, -1)) await applyEvent(deps, e);
    const writes: number[] = [];
    const apply = deps.ledger.applyTaskEvents.bind(deps.ledger);
    deps.ledger.applyTaskEvents = async (runId, details) => {
      writes.push(details.length);
      return apply(runId, details);
    };
    mocks.ecs
      .on(DescribeTasksCommand)
      .resolves({ tasks: lifecycles.map((events) => described(events[events.length - 1]!)) });
    expect((await sweep(deps)).reconciled).toEqual([run.runId]);
    expect(writes).toEqual([3]);
    expect((await deps.ledger.get(run.runId))?.status).toBe("SUCCEEDED");
  });

  it("changes nothing when ECS describes what the run already holds, or older", async () => {
    const deps = runDeps([testJob()], { now: at("2026-03-10T11:05:00Z") });
    const { run, events } = await lostStop(deps, 0);
    const running = events[events.length - 2]!;
    const pending = events[events.length - 3]!;
    mocks.ecs.on(DescribeTasksCommand).resolves({ tasks: [described(running)] });
    expect((await sweep(deps)).reconciled).toEqual([]);
    mocks.ecs.on(DescribeTasksCommand).resolves({ tasks: [described(pending)] });
    expect((await sweep(deps)).reconciled).toEqual([]);
    expect(await deps.ledger.get(run.runId)).toEqual(run);
  });

  it("leaves a task ECS has forgotten to the run's deadlines, and says so", async () => {
    const deps = runDeps([testJob()], { now: at("2026-03-10T11:05:00Z") });
    const { run } = await lostStop(deps, 0);
    const arn = run.tasks[0]!.taskArn;
    mocks.ecs.on(DescribeTasksCommand).resolves({ tasks: [], failures: [{ arn, reason: "MISSING" }] });
    expect((await sweep(deps)).reconciled).toEqual([]);
    expect((await deps.ledger.get(run.runId))?.status).toBe("RUNNING");
    expect(deps.log.lines.some((l) => /no longer knows/.test(l.message))).toBe(true);
  });

  it("skips a described task that is not a task (a field ECS dropped), and goes on", async () => {
    const deps = runDeps([testJob()], { now: at("2026-03-10T11:05:00Z") });
    const { run, stopped } = await lostStop(deps, 0);
    const { version: _v, ...noVersion } = described(stopped);
    mocks.ecs.on(DescribeTasksCommand).resolves({ tasks: [noVersion] });
    const report = await sweep(deps);
    expect(report.reconciled).toEqual([]);
    expect(report.errors).toEqual([]);
    expect((await deps.ledger.get(run.runId))?.status).toBe("RUNNING");
  });

  it("does not describe a young run, nor one whose tasks all stopped", async () => {
    const deps = runDeps([testJob()], { now: at("2026-03-10T11:01:30Z") });
    await lostStop(deps, 0);
    await sweep(deps);
    expect(mocks.ecs).not.toHaveReceivedCommand(DescribeTasksCommand);
  });
});

describe("dueForReconcile", () => {
  const run = launchedRun("report", {
    createdAt: "2026-03-10T11:00:00.000Z",
    tasks: [{ taskArn: "arn:aws:ecs:us-east-1:1:task/c/1", lastStatus: "RUNNING", containers: [] }],
  });
  const dueAt = (minutes: number) =>
    dueForReconcile(run, new Date(Date.parse(run.createdAt) + minutes * 60_000));

  it("waits 2 minutes, then is due every minute to 15 minutes, then every 10 minutes", () => {
    const due = Array.from({ length: 62 }, (_, m) => m).filter(dueAt);
    expect(due).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 20, 30, 40, 50, 60]);
  });

  it("is due whenever a deadline would end the run, so that tasks already stopped are not timed out", () => {
    expect(dueAt(25)).toBe(false);
    expect(dueForReconcile(run, new Date(Date.parse(run.createdAt) + 25 * 60_000), true)).toBe(true);
  });

  it("is never due for a run without a task still going", () => {
    const stopped = { ...run, tasks: run.tasks.map((t) => ({ ...t, lastStatus: "STOPPED" })) };
    expect(dueForReconcile(stopped, new Date("2026-03-10T12:00:00Z"), true)).toBe(false);
    expect(dueForReconcile({ ...run, tasks: [] }, new Date("2026-03-10T12:00:00Z"))).toBe(false);
  });
});
