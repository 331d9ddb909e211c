/**
 * Stopping the stack while a handler is still at work: the work finishes against an emulator that still
 * answers (or, not started yet, is left to the next start's sweep). It never fails mid-way because the stack
 * closed the emulator under it, as sweeps did at the end of a wall-clock fan-out ("3 sweeper step(s)
 * failed", retried and logged five times). Nor does it go on to the next run: it stops between runs, and the
 * close finishes once the run it was at is done.
 */
import { rmSync } from "node:fs";
import { expect, it } from "vitest";
import { createOffsetClock } from "../../local/offset-clock.ts";
import { startStack } from "../hardening/support-faults.ts";
import { fargate, poll, startRun, tempProject, waitForRun } from "./support/stack.ts";

/**
 * `runs` long runs RUNNING, a sweep begun, and the stack closed while the sweep is inside the first run's
 * step: the sweep's first DescribeTasks is answered ThrottlingException after a second, so when it is seen,
 * the SDK's retry of it is still to come. Resolves to what the emulator answered to DescribeTasks, and the log.
 */
async function closeDuringSweep(runs: number) {
  const clock = createOffsetClock();
  const log: string[] = [];
  const project = tempProject({ long: fargate("http: true", "{ outcome: succeed, durationSeconds: 600 }") });
  const { stack, api: a } = await startStack(project, log, clock);
  try {
    for (let i = 0; i < runs; i++) {
      const runId = await startRun(a, "long");
      await waitForRun(a, runId, (r) => r.status === "RUNNING");
    }
    stack.emulator.faults.set({ onlyOperations: ["DescribeTasks"], throttleNext: 1, latencyMs: 1_000 });
    // Old enough for the sweeper to describe their tasks (reconcile.ts: from 2 minutes on).
    clock.advance(3 * 60_000);
    const swept = stack.sweep();
    const describes = () => stack.emulator.calls().filter((c) => c.operation === "DescribeTasks");
    await poll(
      async () => describes().length,
      (n) => n > 0,
      { what: "the sweep's first DescribeTasks answered" },
    );
    await stack.close();
    await expect(swept).resolves.toBeUndefined();
    return { describes: describes().map((c) => c.status), log };
  } finally {
    await stack.close();
    rmSync(project.dir, { recursive: true, force: true });
  }
}

const failures = (log: string[]) =>
  log.filter((l) => /sweeper step failed|failed \(attempt|dropped|invocation failed/.test(l));

it("a sweep in flight when the stack closes finishes: its ECS calls are answered, no step fails", async () => {
  const { describes, log } = await closeDuringSweep(1);
  expect(describes).toEqual([400, 200]);
  expect(failures(log)).toEqual([]);
});

it("a sweep in flight when the stack closes stops after the run it is at: the other run is left untouched", async () => {
  const { describes, log } = await closeDuringSweep(2);
  // The first run's step finished (its retry answered); the second run's never began.
  expect(describes).toEqual([400, 200]);
  expect(log.filter((l) => /sweep stopped early/.test(l))).toEqual([
    expect.stringMatching(/why=cancelled leftRuns=1 /),
  ]);
  expect(failures(log)).toEqual([]);
});
