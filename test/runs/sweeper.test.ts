import { ListTasksCommand, StopTaskCommand } from "@aws-sdk/client-ecs";
import { PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { ListSchedulesCommand } from "@aws-sdk/client-scheduler";
import { describe, expect, it } from "vitest";
import { sweep } from "../../src/app/sweep.ts";
import { runTaskStartedBy } from "../../src/jobspec/requests.ts";
import type { Run } from "../../src/runs/model.ts";
import { runIdFor } from "../../src/runs/run-id.ts";
import { taskArnFor, taskEvent } from "../support/events.ts";
import { applyEvent } from "../support/status-path.ts";
import {
  fakeLaunch,
  launchedRun,
  mocks,
  runDeps,
  runTaskEvents,
  sentAlerts,
  testJob,
  useRunMocks,
} from "./harness.ts";

useRunMocks();

const at = (iso: string) => new Date(iso);

/** A run whose only task is RUNNING since 11:00:29 (created 11:00:05). */
async function runningRun(deps: ReturnType<typeof runDeps>, overrides: Partial<Run> = {}) {
  const run = launchedRun("report", overrides);
  await deps.ledger.create(run);
  const events = runTaskEvents(run, 0);
  for (const e of events.slice(0, -1)) await applyEvent(deps, e);
  return { run: (await deps.ledger.get(run.runId))!, stopped: events[events.length - 1]! };
}

describe("timeouts", () => {
  const job = testJob("policy:\n  timeoutMinutes: 30\nalerts:\n  on: [FAILED, TIMED_OUT]\n");

  it("stops the tasks with a reason naming the timeout, ends TIMED_OUT and alerts once", async () => {
    const deps = runDeps([job], { now: at("2026-03-10T11:20:00Z") });
    const { run } = await runningRun(deps);
    expect(run.status).toBe("RUNNING");
    expect((await sweep(deps)).timedOut).toEqual([]);
    expect(mocks.ecs).not.toHaveReceivedCommand(StopTaskCommand);

    deps.clock.now = at("2026-03-10T11:31:00Z");
    const stray = taskArnFor("not in the ledger");
    mocks.ecs.on(ListTasksCommand).resolves({ taskArns: [run.tasks[0]!.taskArn, stray] });
    const report = await sweep(deps);
    expect(report.timedOut).toEqual([run.runId]);
    expect(mocks.ecs).toHaveReceivedCommandWith(ListTasksCommand, {
      cluster: "reports",
      startedBy: runTaskStartedBy("report", run.runId),
    });
    for (const task of [run.tasks[0]!.taskArn, stray])
      expect(mocks.ecs).toHaveReceivedCommandWith(StopTaskCommand, {
        cluster: "reports",
        task,
        reason: "ecs-jobs: timed out after 30 minutes",
      });
    expect(mocks.ecs).toHaveReceivedCommandTimes(StopTaskCommand, 2);
    const ended = await deps.ledger.get(run.runId);
    expect(ended?.status).toBe("TIMED_OUT");
    expect(ended?.hint).toMatch(/timeoutMinutes \(30 minutes\)/);
    expect(sentAlerts().map((a) => a.detailType)).toEqual(["ECS Job Run TIMED_OUT"]);
  });

  it("stays TIMED_OUT when the stopped task's events arrive afterwards", async () => {
    const deps = runDeps([job], { now: at("2026-03-10T11:31:00Z") });
    const { run } = await runningRun(deps);
    await sweep(deps);
    const stopped = taskEvent({
      taskArn: run.tasks[0]!.taskArn,
      startedBy: runTaskStartedBy("report", run.runId),
      createdAt: run.createdAt,
      lastStatus: "STOPPED",
      version: 9,
      stopCode: "UserInitiated",
      stoppedReason: "ecs-jobs: timed out after 30 minutes",
      containers: [{ name: "app", exitCode: 143 }],
    });
    expect(await applyEvent(deps, stopped)).toBe("applied");
    expect(await applyEvent(deps, stopped)).toBe("unchanged");
    const after = await deps.ledger.get(run.runId);
    expect(after?.status).toBe("TIMED_OUT");
    expect(after?.tasks[0]?.lastStatus).toBe("STOPPED");
    expect(mocks.eventbridge).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    expect((await sweep(deps)).timedOut).toEqual([]);
  });

  it("counts from creation when the run never started, and retries on TimedOut", async () => {
    const launch = fakeLaunch();
    const retrying = testJob(
      "policy:\n  timeoutMinutes: 30\n  retries:\n    attempts: 1\n    on: [TimedOut]\n",
    );
    const deps = runDeps([retrying], { launch, now: at("2026-03-10T11:35:05Z") });
    const run = launchedRun("report");
    await deps.ledger.create(run);
    await sweep(deps);
    expect((await deps.ledger.get(run.runId))?.status).toBe("TIMED_OUT");
    expect(launch.calls).toHaveLength(1);
    expect(launch.calls[0]).toMatchObject({ attempt: 2, trigger: { kind: "retry", id: run.runId } });
    expect(sentAlerts()).toHaveLength(0);
  });
});

describe("start deadline", () => {
  const job = testJob("policy:\n  startDeadlineMinutes: 10\n");

  it("ends a scheduled run not RUNNING 10 minutes after its fire time MISSED, and stops its task", async () => {
    const deps = runDeps([job], { now: at("2026-03-10T11:09:59Z") });
    const run = launchedRun("report");
    await deps.ledger.create(run);
    const [provisioning] = runTaskEvents(run, 0);
    await applyEvent(deps, provisioning);
    expect((await sweep(deps)).missed).toEqual([]);

    deps.clock.now = at("2026-03-10T11:10:00Z");
    expect((await sweep(deps)).missed).toEqual([run.runId]);
    expect((await deps.ledger.get(run.runId))?.status).toBe("MISSED");
    expect(mocks.ecs).toHaveReceivedCommandWith(StopTaskCommand, {
      task: provisioning!.detail.taskArn,
      reason: "ecs-jobs: not running 10 minutes after its scheduled time",
    });
    expect(sentAlerts().map((a) => a.detailType)).toEqual(["ECS Job Run MISSED"]);
  });

  it("does not apply to runs that are not scheduled, or already running", async () => {
    const deps = runDeps([job], { now: at("2026-03-10T12:00:00Z") });
    const http = launchedRun("report", { trigger: { kind: "http", id: "request-1" } });
    await deps.ledger.create(http);
    await runningRun(deps, { runId: "20260310T110000Z-0000beef" });
    const report = await sweep(deps);
    expect(report.missed).toEqual([]);
    expect(mocks.ecs).not.toHaveReceivedCommand(StopTaskCommand);
  });
});

describe("missed fire times", () => {
  const hourly = testJob("schedule:\n  expression: cron(0 * * * ? *)\npolicy:\n  startDeadlineMinutes: 5\n");
  const enabled = (modified = "2026-03-01T00:00:00Z") =>
    mocks.scheduler.on(ListSchedulesCommand).resolves({
      Schedules: [
        {
          Name: "report",
          GroupName: "ecs-jobs",
          State: "ENABLED",
          CreationDate: at("2026-01-01T00:00:00Z"),
          LastModificationDate: at(modified),
        },
      ],
    });
  const scheduledRun = (time: string) =>
    launchedRun("report", {
      runId: runIdFor("report", { kind: "schedule", id: `exec-${time}` }, at(time)),
      trigger: { kind: "schedule", id: `exec-${time}`, scheduledTime: time },
      createdAt: time.replace("Z", ".500Z"),
      status: "SUCCEEDED",
    });

  it("records a MISSED run for a fire time with no run, once, and alerts it", async () => {
    enabled();
    const deps = runDeps([hourly], { now: at("2026-03-10T11:20:00Z") });
    await deps.ledger.create(scheduledRun("2026-03-10T10:00:00Z"));
    const report = await sweep(deps);
    expect(mocks.scheduler).toHaveReceivedCommandWith(ListSchedulesCommand, {
      GroupName: "ecs-jobs",
      State: "ENABLED",
    });
    expect(report.missedFireTimes).toHaveLength(1);
    const missed = report.missedFireTimes[0]!;
    expect(missed).toMatchObject({
      status: "MISSED",
      createdAt: "2026-03-10T11:00:00.000Z",
      trigger: {
        kind: "schedule",
        id: "missed:2026-03-10T11:00:00.000Z",
        scheduledTime: "2026-03-10T11:00:00.000Z",
      },
    });
    expect(await deps.ledger.get(missed.runId)).toEqual(missed);
    expect(sentAlerts().map((a) => [a.detailType, a.detail.runId])).toEqual([
      ["ECS Job Run MISSED", missed.runId],
    ]);

    deps.clock.now = at("2026-03-10T11:21:00Z");
    expect((await sweep(deps)).missedFireTimes).toEqual([]);
    expect(sentAlerts()).toHaveLength(1);
  });

  it("waits for the start deadline before judging a fire time", async () => {
    enabled();
    const deps = runDeps([hourly], { now: at("2026-03-10T11:05:59Z") });
    await deps.ledger.create(scheduledRun("2026-03-10T10:00:00Z"));
    expect((await sweep(deps)).missedFireTimes).toEqual([]);
  });

  it("finds nothing when every fire time has a run, the schedule is paused, or changed since", async () => {
    enabled();
    const deps = runDeps([hourly], { now: at("2026-03-10T11:20:00Z") });
    await deps.ledger.create(scheduledRun("2026-03-10T10:00:00Z"));
    await deps.ledger.create(scheduledRun("2026-03-10T11:00:00Z"));
    expect((await sweep(deps)).missedFireTimes).toEqual([]);

    const paused = runDeps([hourly], { now: at("2026-03-10T11:20:00Z") });
    mocks.scheduler.on(ListSchedulesCommand).resolves({ Schedules: [] });
    expect((await sweep(paused)).missedFireTimes).toEqual([]);

    enabled("2026-03-10T11:05:00Z");
    const resumed = runDeps([hourly], { now: at("2026-03-10T11:20:00Z") });
    expect((await sweep(resumed)).missedFireTimes).toEqual([]);
  });

  it("follows a rate schedule's phase from the fire times recorded", async () => {
    enabled();
    const every15 = testJob("schedule:\n  expression: rate(15 minutes)\n");
    const deps = runDeps([every15], { now: at("2026-03-10T11:40:00Z") });
    for (const t of ["10:30", "10:45", "11:00"])
      await deps.ledger.create(scheduledRun(`2026-03-10T${t}:00Z`));
    const report = await sweep(deps);
    expect(report.missedFireTimes.map((r) => r.createdAt)).toEqual(["2026-03-10T11:15:00.000Z"]);
  });
});

describe("SLOW", () => {
  const job = testJob("alerts:\n  on: [SLOW]\n");
  const past = (i: number, minutes: number): Run => ({
    ...launchedRun("report", { runId: `2026030${i}T100000Z-0000000${i}` }),
    createdAt: `2026-03-0${i}T10:00:00.000Z`,
    startedAt: `2026-03-0${i}T10:00:00.000Z`,
    stoppedAt: new Date(Date.parse(`2026-03-0${i}T10:00:00.000Z`) + minutes * 60_000).toISOString(),
    status: "SUCCEEDED",
  });

  it("alerts once for a run past twice the median of the last successful runs", async () => {
    const deps = runDeps([job], { now: at("2026-03-10T11:20:00Z") });
    for (const [i, m] of [
      [1, 9],
      [2, 10],
      [3, 10],
      [4, 11],
      [5, 60],
    ] as const)
      await deps.ledger.create(past(i, m));
    const { run } = await runningRun(deps);
    expect((await sweep(deps)).slow).toEqual([]);

    deps.clock.now = at("2026-03-10T11:20:30Z"); // 20 min 1 s after its start at 11:00:29: > 2 x 10 min
    expect((await sweep(deps)).slow).toEqual([run.runId]);
    expect((await sweep(deps)).slow).toEqual([]);
    const alerts = sentAlerts();
    expect(alerts.map((a) => a.detailType)).toEqual(["ECS Job Run SLOW"]);
    expect(alerts[0]?.detail.summary).toMatch(/median of 10 minutes/);
  });

  it("says seconds for runs that usually take seconds, never a median of 0 minutes", async () => {
    const quick = (i: number, ms: number): Run => ({
      ...past(i, 0),
      stoppedAt: new Date(Date.parse(`2026-03-0${i}T10:00:00.000Z`) + ms).toISOString(),
    });
    const deps = runDeps([job], { now: at("2026-03-10T11:00:29Z") });
    for (const [i, ms] of [
      [1, 2_000],
      [2, 2_000],
      [3, 3_000],
    ] as const)
      await deps.ledger.create(quick(i, ms));
    await runningRun(deps);
    deps.clock.now = at("2026-03-10T11:00:36Z");
    await sweep(deps);
    const summary = sentAlerts()[0]?.detail.summary;
    expect(summary).toMatch(/running for 7 seconds, more than 2x its median of 2 seconds\.$/);
  });

  it("needs at least 3 successful runs to know what usual is", async () => {
    const deps = runDeps([job], { now: at("2026-03-10T14:00:00Z") });
    await deps.ledger.create(past(1, 1));
    await deps.ledger.create(past(2, 1));
    await runningRun(deps);
    expect((await sweep(deps)).slow).toEqual([]);
    expect(sentAlerts()).toEqual([]);
  });
});

describe("sweeping", () => {
  it("goes on with the other runs when one fails, and reports the failure", async () => {
    const job = testJob("policy:\n  timeoutMinutes: 5\n");
    const deps = runDeps([job], { now: at("2026-03-10T12:00:00Z") });
    const a = launchedRun("report", { runId: "20260310T110000Z-0000000a" });
    const b = launchedRun("report", { runId: "20260310T110000Z-0000000b" });
    await deps.ledger.create(a);
    await deps.ledger.create(b);
    const finish = deps.ledger.finish.bind(deps.ledger);
    deps.ledger.finish = async (runId, ...rest) => {
      if (runId === a.runId) throw new Error("ProvisionedThroughputExceededException");
      return finish(runId, ...rest);
    };
    const report = await sweep(deps);
    expect(report.timedOut).toEqual([b.runId]);
    expect(report.errors.map((e) => e.where)).toEqual([`run ${a.runId}`]);
  });
});
