/**
 * Issue 18 (scale rows) and issue 20 item 8, on the emulator's clock (sim.ts) with Fargate's RunTask
 * limits enforced: a 10,000-task fan-out, a busy minute of 1,000 jobs, and four concurrent count:1000
 * requests. Times are emulator milliseconds, so the goal ratios are deterministic.
 */
import { afterEach, describe, expect, it } from "vitest";
import { continueStalledLaunches } from "../../../src/app/interrupted-launch.ts";
import { launchRun } from "../../../src/app/launch-run.ts";
import { HTTP_LAUNCH_BUDGET_MS } from "../../../src/http/routes.ts";
import { parseStartedBy } from "../../../src/jobspec/requests.ts";
import type { Job } from "../../../src/jobspec/schema.ts";
import type { EcsTaskDetail } from "../../../src/runs/events.ts";
import { isFinal, type Run } from "../../../src/runs/model.ts";
import { FARGATE_JOB, job } from "../../support/spec.ts";
import { type Sim, START, startSim } from "./sim.ts";

/** DynamoDB's item limit, and the minimum times of the documented limits (tasks 100 burst + 20/s; calls 20/s). */
const ITEM_LIMIT = 400 * 1024;
/**
 * 2,000 tasks in `npm test`; `npm run test:deep` sets SCALE_TASKS=10000 (~160 s here, most of it the
 * in-memory ledger cloning the growing run at each batch: a test cost, not the product's).
 */
const TASKS = Number(process.env.SCALE_TASKS ?? 2_000);
/**
 * A hang guard, not a goal: times are the emulator's, so nothing here depends on the wall clock. 10,000
 * tasks took 160 s on an idle machine and more than 240 s at load 30 (test:deep beside npm test).
 */
const HANG_GUARD_MS = 15 * 60_000;
const minimumMs = (tasks: number, calls: number) =>
  Math.max(((tasks - 100) / 20) * 1000, ((calls - 20) / 20) * 1000);

let sim: Sim | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/** A Fargate job of `count` tasks (up to 10,000: SPEC section 1). */
const jobOf = (name: string, count: number): Job =>
  job(FARGATE_JOB.replace("launchType: FARGATE", `launchType: FARGATE\n  count: ${count}`), name);

describe(`a fan-out of ${TASKS} tasks under RunTask throttling`, () => {
  it("launches every task exactly once, within 1.2x the limit's minimum time, in items far under 400 KB", {
    timeout: HANG_GUARD_MS,
  }, async () => {
    const big = jobOf("fanout", TASKS);
    const s = await startSim([big]);
    sim = s;
    let run: Run | undefined;
    void launchRun(s.deps, {
      job: big,
      trigger: { kind: "schedule", id: "fanout" },
      at: new Date(START),
    }).then((r) => (run = r));
    await s.runUntil(() => run !== undefined);
    const done = run as Run;
    const arns = done.tasks.map((t) => t.taskArn);
    expect(arns).toHaveLength(TASKS);
    expect(new Set(arns).size).toBe(TASKS);
    expect(done.failures).toEqual([]);
    expect(s.emu.tasks()).toHaveLength(TASKS);
    // The pacer kept to the limit: no call was throttled.
    expect(s.emu.throttledRunTasks()).toBe(0);
    const elapsed = (s.runTaskAnswers.at(-1) as number) - START;
    expect(elapsed / minimumMs(TASKS, TASKS / 10)).toBeLessThanOrEqual(1.2);
    // Every item written (the run's, its tasks' parts: src/ledger/task-parts.ts), as the storage counts it.
    expect(s.deps.ledger.storage.largestItem).toBeLessThan(ITEM_LIMIT / 4);
  });
});

describe("a busy minute: 1,000 jobs firing at the same minute", () => {
  it("launches each once, the last RunTask within 1.2x the minimum, and every status event applied", {
    timeout: HANG_GUARD_MS,
  }, async () => {
    const jobs = Array.from({ length: 1000 }, (_, i) => jobOf(`job-${i}`, 1));
    const s = await startSim(jobs, {
      onEvent: async (e, deps) => {
        const detail = e.detail as EcsTaskDetail;
        const runId = parseStartedBy(detail.startedBy)?.runId;
        if (runId) await deps.ledger.applyTaskEvents(runId, [detail]);
      },
    });
    sim = s;
    const runs: Run[] = [];
    for (const j of jobs)
      void launchRun(s.deps, { job: j, trigger: { kind: "schedule", id: j.name }, at: new Date(START) }).then(
        (r) => runs.push(r),
      );
    await s.runUntil(() => runs.length === 1000);
    expect(s.emu.tasks()).toHaveLength(1000);
    expect(new Set(s.emu.tasks().map((t) => t.startedBy)).size).toBe(1000);
    expect(s.emu.throttledRunTasks()).toBe(0);
    const lastRunTask = (s.runTaskAnswers.at(-1) as number) - START;
    expect(lastRunTask / minimumMs(1000, 1000)).toBeLessThanOrEqual(1.2);
    // Every task runs 5 s and stops: once every event is applied, every run is SUCCEEDED.
    await s.runUntil(() => s.deps.ledger.runs.size === 1000 && allFinal(s));
    await s.emu.idle();
    const statuses = [...s.deps.ledger.runs.values()].map((r) => r.status);
    expect(statuses.filter((x) => x === "SUCCEEDED")).toHaveLength(1000);
  });
});

const allFinal = (s: Sim) => [...s.deps.ledger.runs.values()].every((r) => isFinal(r.status));

describe("issue 20 item 8: four concurrent count:1000 requests", () => {
  it("every request is answered within the HTTP API's 30 s, and all 4,000 tasks launch once", {
    timeout: HANG_GUARD_MS,
  }, async () => {
    const jobs = Array.from({ length: 4 }, (_, i) => jobOf(`wide-${i}`, 1000));
    const s = await startSim(jobs);
    sim = s;
    const answeredAt: number[] = [];
    const handedOff: Run[] = [];
    // As POST /jobs/{name}/runs launches: the HTTP budget, then the rest handed to the sweeper.
    for (const j of jobs)
      void launchRun(s.deps, {
        job: j,
        trigger: { kind: "http", id: j.name },
        at: new Date(START),
        stopBy: new Date(START + HTTP_LAUNCH_BUDGET_MS),
      }).then((r) => {
        answeredAt.push(s.clock.now() - START);
        handedOff.push(r);
      });
    await s.runUntil(() => answeredAt.length === 4);
    expect(Math.max(...answeredAt)).toBeLessThanOrEqual(30_000);
    // The sweeper continues the four launches, taking turns, until each is done.
    let pending = true;
    void (async () => {
      while ([...s.deps.ledger.runs.values()].some((r) => (r.launch?.done ?? 0) < (r.launch?.batches ?? 0))) {
        await continueStalledLaunches(
          s.deps as never,
          [...s.deps.ledger.runs.values()],
          new Date(s.clock.now() + 60_000),
          (runId, error) => {
            throw new Error(`launch of ${runId}: ${String(error)}`);
          },
        );
      }
      pending = false;
    })();
    await s.runUntil(() => !pending);
    const arns = [...s.deps.ledger.runs.values()].flatMap((r) => r.tasks.map((t) => t.taskArn));
    expect(arns).toHaveLength(4000);
    expect(new Set(arns).size).toBe(4000);
    expect(s.emu.tasks()).toHaveLength(4000);
    expect(s.emu.throttledRunTasks()).toBe(0);
  });
});
