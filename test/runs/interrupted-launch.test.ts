/**
 * Issue 20 item 4: a launch cut off mid-way (SIGTERM, a Lambda timeout) left its run RUNNING for good once
 * its first tasks stopped. The launch records its progress; the sweeper continues it once the lease has
 * passed, or ends a run with no progress recorded FAILED naming what it could not start. ECS is mocked here;
 * test/local/interrupted-launch.test.ts kills a launch on the local stack.
 */
import { RunTaskCommand, type RunTaskCommandInput } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { LAUNCH_LEASE_MS, launchRun } from "../../src/app/launch-run.ts";
import { sweep } from "../../src/app/sweep.ts";
import type { Run } from "../../src/runs/model.ts";
import { ecsTask } from "../launch/harness.ts";
import { FARGATE_JOB, job } from "../support/spec.ts";
import { applyEvent } from "../support/status-path.ts";
import { launchedRun, mocks, NOW, runDeps, runTaskEvents, sentAlerts, useRunMocks } from "./harness.ts";

useRunMocks();

const job25 = job(
  `${FARGATE_JOB.replace("launchType: FARGATE", "launchType: FARGATE\n  count: 25")}alerts: { on: [FAILED] }\n`,
);

const tokens = () =>
  mocks.ecs.commandCalls(RunTaskCommand).map((c) => (c.args[0].input as RunTaskCommandInput).clientToken);
const trigger = { kind: "cli" as const, id: "kill-me" };
const later = (ms: number) => new Date(NOW.getTime() + ms);

/** RunTask places every task for `served` calls, then never answers again: the launcher is "killed" there. */
function killedAfter(served: number) {
  let calls = 0;
  mocks.ecs.on(RunTaskCommand).callsFake((input: RunTaskCommandInput) => {
    calls++;
    if (calls > served) return new Promise(() => {});
    return { tasks: Array.from({ length: input.count ?? 1 }, () => ecsTask()), failures: [] };
  });
}

const placeAll = () =>
  mocks.ecs.on(RunTaskCommand).callsFake((input: RunTaskCommandInput) => ({
    tasks: Array.from({ length: input.count ?? 1 }, () => ecsTask()),
    failures: [],
  }));

async function waitForProgress(deps: ReturnType<typeof runDeps>, done: number): Promise<Run> {
  for (;;) {
    const [run] = deps.ledger.runs.values();
    if (run?.launch && run.launch.done >= done && mocks.ecs.commandCalls(RunTaskCommand).length > done)
      return run;
    await new Promise((r) => setImmediate(r));
  }
}

describe("a launch killed mid-way", () => {
  it("records its progress batch by batch; the sweeper continues it after the lease, sending only what is left", async () => {
    killedAfter(2);
    const deps = runDeps([job25]);
    void launchRun(deps, { job: job25, trigger });
    const cut = await waitForProgress(deps, 2);
    expect(cut.launch).toMatchObject({ batches: 3, done: 2 });
    expect(cut.tasks).toHaveLength(20);

    // While the lease runs the launcher may still be alive: the sweeper leaves it alone.
    placeAll();
    deps.clock.now = later(LAUNCH_LEASE_MS - 1_000);
    expect((await sweep(deps)).continued).toEqual([]);
    expect(tokens()).toEqual([`${cut.runId}-0`, `${cut.runId}-1`, `${cut.runId}-2`]);

    deps.clock.now = later(LAUNCH_LEASE_MS + 1_000);
    const report = await sweep(deps);
    expect(report.continued).toEqual([cut.runId]);
    // Batch 2 again (it was sent, never recorded): the same clientToken, so ECS would not launch it twice.
    expect(tokens()).toEqual([`${cut.runId}-0`, `${cut.runId}-1`, `${cut.runId}-2`, `${cut.runId}-2`]);
    const after = await deps.ledger.get(cut.runId);
    expect(after?.tasks).toHaveLength(25);
    expect(after?.launch).toMatchObject({ batches: 3, done: 3 });
    expect((await sweep(deps)).continued).toEqual([]);
  });

  it("a launch handed off at stopBy is continued by the very next sweep", async () => {
    placeAll();
    const deps = runDeps([job25]);
    const run = await launchRun(deps, { job: job25, trigger, stopBy: NOW });
    expect(run.tasks).toHaveLength(10);
    expect(run.launch).toMatchObject({ batches: 3, done: 1, leaseUntil: NOW.toISOString() });
    expect(run.status).toBe("PENDING");
    expect((await sweep(deps)).continued).toEqual([run.runId]);
    expect((await deps.ledger.get(run.runId))?.tasks).toHaveLength(25);
  });

  // In a 2,000-task fan-out on the local stack, 185 records with no tasks came between the launch's batch
  // records: each batch the sweeper sent was followed by a record of its hand-off alone (one more write).
  it("records each batch once, its hand-off in the same write: no record without tasks", async () => {
    placeAll();
    const deps = runDeps([job25]);
    const records: number[] = [];
    const recordLaunch = deps.ledger.recordLaunch.bind(deps.ledger);
    deps.ledger.recordLaunch = (runId, result, o) => {
      records.push(result.tasks.length);
      return recordLaunch(runId, result, o);
    };
    const run = await launchRun(deps, { job: job25, trigger, stopBy: NOW });
    expect(run.launch).toMatchObject({ batches: 3, done: 1, leaseUntil: NOW.toISOString() });
    await sweep(deps);
    expect((await deps.ledger.get(run.runId))?.tasks).toHaveLength(25);
    // Three batches of 10, 10 and 5 tasks, each recorded by one write (the sweeper hands off after each).
    expect(records).toEqual([10, 10, 5]);
  });

  it("a continued launch that ECS then refuses ends the run FAILED once its tasks stop", async () => {
    killedAfter(1);
    const deps = runDeps([job25]);
    void launchRun(deps, { job: job25, trigger });
    const cut = await waitForProgress(deps, 1);
    mocks.ecs.on(RunTaskCommand).resolves({ tasks: [], failures: [{ reason: "RESOURCE:MEMORY" }] });
    deps.clock.now = later(LAUNCH_LEASE_MS);
    await sweep(deps);
    const after = await deps.ledger.get(cut.runId);
    expect(after?.failures).toHaveLength(15);
    expect(after?.status).not.toBe("FAILED"); // 10 tasks still running
  });
});

describe("several stalled launches", () => {
  it("take turns: one RunTask call each per round, not one fan-out after the other", async () => {
    placeAll();
    const deps = runDeps([job25]);
    const a = await launchRun(deps, { job: job25, trigger: { kind: "cli", id: "a" }, stopBy: NOW });
    const b = await launchRun(deps, { job: job25, trigger: { kind: "cli", id: "b" }, stopBy: NOW });
    expect(tokens()).toEqual([`${a.runId}-0`, `${b.runId}-0`]);
    await sweep(deps);
    const order = tokens().slice(2);
    // Both runs are created at NOW, so listActive's order between them is the ledger's: either may go first.
    const [x, y] = order[0]?.startsWith(a.runId) ? [a.runId, b.runId] : [b.runId, a.runId];
    expect(order).toEqual([`${x}-1`, `${y}-1`, `${x}-2`, `${y}-2`]);
    for (const id of [a.runId, b.runId]) expect((await deps.ledger.get(id))?.tasks).toHaveLength(25);
  });
});

describe("a run with no recorded progress, short of its tasks", () => {
  it("ends FAILED with 'launched K of N tasks; the launch was interrupted' once its known tasks stopped", async () => {
    const deps = runDeps([job25]);
    const run = launchedRun("report", { expectedTasks: 25 });
    await deps.ledger.create(run);
    for (const i of [0, 1]) for (const e of runTaskEvents(run, i)) await applyEvent(deps, e);
    expect((await deps.ledger.get(run.runId))?.status).toBe("RUNNING");

    deps.clock.now = new Date(Date.parse(run.createdAt) + LAUNCH_LEASE_MS + 1_000);
    const report = await sweep(deps);
    expect(report.interrupted).toEqual([run.runId]);
    const ended = await deps.ledger.get(run.runId);
    expect(ended?.status).toBe("FAILED");
    expect(ended?.failures).toHaveLength(23);
    expect(ended?.failures[0]).toEqual({
      reason: "LaunchInterrupted",
      detail: "launched 2 of 25 tasks; the launch was interrupted",
    });
    expect(ended?.hint).toMatch(/launch stopped before every task was started/);
    expect(sentAlerts().map((a) => a.detailType)).toEqual(["ECS Job Run FAILED"]);
  });

  it("is left alone while a known task still runs, or while it is young", async () => {
    const deps = runDeps([job25]);
    const run = launchedRun("report", { expectedTasks: 25 });
    await deps.ledger.create(run);
    const events = runTaskEvents(run, 0);
    for (const e of events.slice(0, -1)) await applyEvent(deps, e);
    deps.clock.now = new Date(Date.parse(run.createdAt) + LAUNCH_LEASE_MS + 1_000);
    expect((await sweep(deps)).interrupted).toEqual([]);
  });
});

/**
 * A launch ECS refused writes its progress (every batch done), then the run's end; an invocation that failed
 * between the two writes (DynamoDB throttled, an HTTP caller that does not retry) left the run PENDING with
 * no task for good, its job's slot held. test/handlers/aws-error-steps.test.ts found it.
 */
describe("a run whose launch recorded every batch but not its end", () => {
  const lost = (deps: ReturnType<typeof runDeps>) => {
    const run = launchedRun("report", {
      expectedTasks: 25,
      launch: { batches: 3, done: 3, leaseUntil: new Date(NOW.getTime() + LAUNCH_LEASE_MS).toISOString() },
    });
    return deps.ledger.create(run).then(() => run);
  };

  it("is left alone while its lease runs: its launcher may still write the end", async () => {
    const deps = runDeps([job25]);
    const run = await lost(deps);
    deps.clock.now = new Date(NOW.getTime() + LAUNCH_LEASE_MS - 1_000);
    expect((await sweep(deps)).interrupted).toEqual([]);
    expect((await deps.ledger.get(run.runId))?.status).toBe("PENDING");
  });

  it("ends FAILED once the lease has passed, every task counted as not launched, and alerts", async () => {
    const deps = runDeps([job25]);
    const run = await lost(deps);
    deps.clock.now = new Date(NOW.getTime() + LAUNCH_LEASE_MS + 1_000);
    expect((await sweep(deps)).interrupted).toEqual([run.runId]);
    const ended = await deps.ledger.get(run.runId);
    expect(ended?.status).toBe("FAILED");
    expect(ended?.failures).toHaveLength(25);
    expect(ended?.failures[0]).toEqual({
      reason: "LaunchInterrupted",
      detail: "launched 0 of 25 tasks; the launch was interrupted",
    });
    expect(sentAlerts().map((a) => a.detailType)).toEqual(["ECS Job Run FAILED"]);
  });
});
