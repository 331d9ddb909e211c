/**
 * Stopping the stack while a handler is still at work: the work finishes against an emulator that still
 * answers (or, not started yet, is left to the next start's sweep). It never fails mid-way because the stack
 * closed the emulator under it, as sweeps did at the end of a wall-clock fan-out ("3 sweeper step(s)
 * failed", retried and logged five times).
 */
import { rmSync } from "node:fs";
import { expect, it } from "vitest";
import { createOffsetClock } from "../../local/offset-clock.ts";
import { startStack } from "../hardening/support-faults.ts";
import { fargate, poll, startRun, tempProject, waitForRun } from "./support/stack.ts";

it("a sweep in flight when the stack closes finishes: its ECS calls are answered, no step fails", async () => {
  const clock = createOffsetClock();
  const log: string[] = [];
  const project = tempProject({ long: fargate("http: true", "{ outcome: succeed, durationSeconds: 600 }") });
  const { stack, api: a } = await startStack(project, log, clock);
  try {
    const runId = await startRun(a, "long");
    await waitForRun(a, runId, (r) => r.status === "RUNNING");
    // The sweep's first DescribeTasks is answered ThrottlingException after a second: when it is seen, the
    // SDK's retry of it is still to come, so the close below begins with the sweep in flight.
    stack.emulator.faults.set({ onlyOperations: ["DescribeTasks"], throttleNext: 1, latencyMs: 1_000 });
    // Old enough for the sweeper to describe its tasks (reconcile.ts: from 2 minutes on).
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
    expect(describes().map((c) => c.status)).toEqual([400, 200]);
    expect(
      log.filter((l) => /sweeper step failed|failed \(attempt|dropped|invocation failed/.test(l)),
    ).toEqual([]);
  } finally {
    await stack.close();
    rmSync(project.dir, { recursive: true, force: true });
  }
});

it("a sweep in flight when the stack closes stops after the run it is at: the other run is left untouched", async () => {
  const clock = createOffsetClock();
  const log: string[] = [];
  const project = tempProject({ long: fargate("http: true", "{ outcome: succeed, durationSeconds: 600 }") });
  const { stack, api: a } = await startStack(project, log, clock);
  try {
    const runIds = [await startRun(a, "long"), await startRun(a, "long")];
    for (const runId of runIds) await waitForRun(a, runId, (r) => r.status === "RUNNING");
    // As above: the close begins while the sweep is inside the first run's step (its DescribeTasks retried).
    stack.emulator.faults.set({ onlyOperations: ["DescribeTasks"], throttleNext: 1, latencyMs: 1_000 });
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
    // The first run's step finished (its retry answered); the second run's never began.
    expect(describes().map((c) => c.status)).toEqual([400, 200]);
    expect(log.filter((l) => /sweep stopped early/.test(l))).toEqual([
      expect.stringMatching(/why=cancelled leftRuns=1 /),
    ]);
    expect(
      log.filter((l) => /sweeper step failed|failed \(attempt|dropped|invocation failed/.test(l)),
    ).toEqual([]);
  } finally {
    await stack.close();
    rmSync(project.dir, { recursive: true, force: true });
  }
});
