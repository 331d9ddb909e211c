/**
 * A sweep told to stop (the local stack closing, the sweeper's Lambda time running short) stops between two
 * runs, never inside one: the run whose step had begun is finished, the others are untouched and reported
 * as left, and the next sweep does them. The fakes block on promises the test releases: no timing.
 */
import {
  RunTaskCommand,
  type RunTaskCommandInput,
  StopTaskCommand,
  type StopTaskCommandInput,
} from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { createSweeperHandler } from "../../handlers/sweeper.ts";
import { sweep } from "../../src/app/sweep.ts";
import { ecsTask, lambdaContext } from "../launch/harness.ts";
import { fakeLaunch, launchedRun, mocks, runDeps, testJob, useRunMocks } from "./harness.ts";

useRunMocks();

const NOW = new Date("2026-03-10T12:00:00Z");
const job = testJob("policy:\n  timeoutMinutes: 15\nschedule:\n  expression: cron(0 3 * * ? *)\n");
const taskOf = (runId: string) => `arn:aws:ecs:us-east-1:111122223333:task/reports/${runId}`;

/** Two runs past their timeout, each with one task: a sweep stops the task and ends the run TIMED_OUT. */
async function twoOverdueRuns() {
  const deps = runDeps([job], { now: NOW });
  for (const runId of ["run-a", "run-b"])
    await deps.ledger.create(
      launchedRun("report", {
        runId,
        tasks: [{ taskArn: taskOf(runId), lastStatus: "RUNNING", containers: [] }],
      }),
    );
  return deps;
}

/** A call that waits: `arrived` resolves when it comes, and it answers once `release()` is called. */
function gate() {
  let release!: () => void;
  const released = new Promise<void>((r) => {
    release = r;
  });
  let enter!: () => void;
  const arrived = new Promise<void>((r) => {
    enter = r;
  });
  return {
    arrived,
    release,
    async pass() {
      enter();
      await released;
    },
  };
}

/** StopTask answers once `release()` is called; `arrived` resolves when the first call comes. */
function blockingStopTask() {
  const g = gate();
  mocks.ecs.on(StopTaskCommand).callsFake(async (_input: StopTaskCommandInput) => {
    await g.pass();
    return {};
  });
  return g;
}

const stoppedTasks = () =>
  mocks.ecs.commandCalls(StopTaskCommand).map((c) => (c.args[0].input as StopTaskCommandInput).task);

describe("a sweep that is told to stop", () => {
  it("cancelled mid-run: finishes that run's step, leaves the other untouched, the next sweep does it", async () => {
    const deps = await twoOverdueRuns();
    const stop = blockingStopTask();
    const cancel = new AbortController();
    const swept = sweep(deps, { signal: cancel.signal });
    await stop.arrived;
    cancel.abort();
    stop.release();
    const report = await swept;

    expect(report.timedOut).toHaveLength(1);
    const [done] = report.timedOut;
    const other = done === "run-a" ? "run-b" : "run-a";
    expect(report.leftRuns).toEqual([other]);
    // The missed fire times of the scheduled job are not checked either.
    expect(report.leftJobs).toEqual(["report"]);
    expect(report.errors).toEqual([]);
    expect(stoppedTasks()).toEqual([taskOf(done as string)]);
    expect((await deps.ledger.get(done as string))?.status).toBe("TIMED_OUT");
    expect((await deps.ledger.get(other))?.status).toBe("PENDING");
    expect(
      deps.log.lines.find((l) => l.message === "sweep stopped early; the next sweep does the rest")?.extra,
    ).toEqual([{ why: "cancelled", leftRuns: 1, leftJobs: 1 }]);

    const next = await sweep(deps);
    expect(next.timedOut).toEqual([other]);
    expect(next.leftRuns).toEqual([]);
    expect((await deps.ledger.get(other))?.status).toBe("TIMED_OUT");
    expect(stoppedTasks()).toHaveLength(2);
  });

  it("cancelled before it began: touches nothing and leaves every run", async () => {
    const deps = await twoOverdueRuns();
    const cancel = new AbortController();
    cancel.abort();
    const report = await sweep(deps, { signal: cancel.signal });
    expect(report.leftRuns.toSorted()).toEqual(["run-a", "run-b"]);
    expect(report.timedOut).toEqual([]);
    expect(mocks.ecs).not.toHaveReceivedCommand(StopTaskCommand);
  });

  it("on Lambda, running short of time: stops between runs, and says in its answer and log what it left", async () => {
    const deps = await twoOverdueRuns();
    const stop = blockingStopTask();
    let remaining = 100_000;
    const context = { ...lambdaContext, getRemainingTimeInMillis: () => remaining };
    const invocation = createSweeperHandler(async () => deps, fakeLaunch())({}, context);
    await stop.arrived;
    // Less than one run's step is left now: the sweep must not begin another.
    remaining = 5_000;
    stop.release();
    expect(await invocation).toEqual({
      continued: 0,
      interrupted: 0,
      reconciled: 0,
      timedOut: 1,
      missed: 0,
      slow: 0,
      endWork: 0,
      stopped: 0,
      missedFireTimes: 0,
      leftRuns: 1,
      leftJobs: 1,
      errors: 0,
    });
    expect(stoppedTasks()).toHaveLength(1);
    expect(
      deps.log.lines.find((l) => l.message === "sweep stopped early; the next sweep does the rest")?.extra,
    ).toEqual([{ why: "out of time", leftRuns: 1, leftJobs: 1 }]);

    remaining = 100_000;
    const next = await createSweeperHandler(async () => deps, fakeLaunch())({}, context);
    expect(next).toMatchObject({ timedOut: 1, leftRuns: 0, leftJobs: 0 });
    expect(new Set(stoppedTasks())).toEqual(new Set([taskOf("run-a"), taskOf("run-b")]));
  });
});

describe("a sweep told to stop while it continues stalled launches", () => {
  it("finishes the RunTask call it is in and records it; the other launch is the next sweep's", async () => {
    const deps = runDeps([testJob()], { now: NOW });
    const stalled = (runId: string) =>
      launchedRun("report", {
        runId,
        launch: { batches: 1, done: 0, leaseUntil: "2026-03-10T11:00:00.000Z" },
      });
    for (const runId of ["run-a", "run-b"]) await deps.ledger.create(stalled(runId));
    const runTask = gate();
    mocks.ecs.on(RunTaskCommand).callsFake(async (input: RunTaskCommandInput) => {
      await runTask.pass();
      return { tasks: [ecsTask(input.startedBy ? { startedBy: input.startedBy } : {})], failures: [] };
    });
    const cancel = new AbortController();
    const swept = sweep(deps, { signal: cancel.signal });
    await runTask.arrived;
    cancel.abort();
    runTask.release();
    const report = await swept;

    expect(mocks.ecs).toHaveReceivedCommandTimes(RunTaskCommand, 1);
    expect(report.continued).toHaveLength(1);
    const [done] = report.continued;
    const other = done === "run-a" ? "run-b" : "run-a";
    expect((await deps.ledger.get(done as string))?.tasks).toHaveLength(1);
    expect((await deps.ledger.get(other))?.launch).toMatchObject({ done: 0 });
    expect(report.leftRuns.toSorted()).toEqual(["run-a", "run-b"]);

    const next = await sweep(deps);
    expect(next.continued).toEqual([other]);
    expect((await deps.ledger.get(other))?.tasks).toHaveLength(1);
    expect(mocks.ecs).toHaveReceivedCommandTimes(RunTaskCommand, 2);
  });
});
