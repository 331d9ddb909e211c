/**
 * For the fault-injection test: a local stack on a given project, and the invariants every run must keep
 * whatever the emulator did to the calls — recorded, launched once per task, final, alerted at most once.
 */
import { expect } from "vitest";
import type { Clock } from "../../local/ecs/emulator-clock.ts";
import { type LocalStack, startLocalStack } from "../../local/stack.ts";
import type { Run } from "../../src/runs/model.ts";
import { type Api, api, FAST_PHASES, FINAL, poll } from "../local/support/stack.ts";

export async function startStack(
  project: { jobsDir: string; dataDir: string },
  log: string[],
  clock?: Clock,
) {
  const stack = await startLocalStack({
    ...(clock && { clock }),
    jobsDir: project.jobsDir,
    dataDir: project.dataDir,
    port: 0,
    token: "fault-token-0123456789",
    log: (line) => log.push(line),
    phaseMs: FAST_PHASES,
    schedulerPollMs: 25,
    retryDelaysMs: [50, 100, 200, 400],
    // Requests in flight when a test closes the stack finish, however busy the machine (default 1 s).
    httpCloseGraceMs: 30_000,
  });
  return { stack, api: api(stack) };
}

/** Throttled and failed answers the emulator gave so far (its call log starts empty with each stack). */
export function faultsInjected(stack: LocalStack): { throttled: number; serverErrors: number } {
  const calls = stack.emulator.calls();
  return {
    throttled: calls.filter((c) => c.error?.type === "ThrottlingException").length,
    serverErrors: calls.filter((c) => c.error?.type === "ServerException").length,
  };
}

/** Every run id reached a final state; waits at most `timeoutMs` for all of them together. */
export async function waitAllFinal(a: Api, runIds: readonly string[], timeoutMs = 120_000): Promise<Run[]> {
  return poll(
    () => Promise.all(runIds.map(async (id) => (await a.get<Run>(`/runs/${id}`)).body)),
    (runs) => runs.every((r) => r && FINAL.has(r.status)),
    { timeoutMs, everyMs: 100, what: `${runIds.length} runs to finish` },
  );
}

/**
 * The invariants. `expected` maps each run id to the number of tasks its job launches. Tasks are counted
 * in the emulator by the run id in their startedBy: a task launched twice for one trigger shows up there
 * even when the ledger recorded it once.
 */
export async function expectInvariants(
  stack: LocalStack,
  a: Api,
  expected: ReadonlyMap<string, number>,
): Promise<Run[]> {
  const runs: Run[] = [];
  for (const [runId, tasks] of expected) {
    const res = await a.get<Run>(`/runs/${runId}`);
    expect(res.status, `run ${runId} lost`).toBe(200);
    const run = res.body;
    runs.push(run);
    expect(FINAL.has(run.status), `run ${runId} is ${run.status}`).toBe(true);
    const launched = stack.emulator.tasks().filter((t) => t.startedBy?.endsWith(`/${runId}`));
    expect(launched.length, `tasks of run ${runId} in the emulator`).toBe(tasks);
    expect(run.tasks.map((t) => t.taskArn).sort()).toEqual(launched.map((t) => t.taskArn).sort());
    const alerts = stack.alerts().filter((x) => x.runId === runId);
    expect(alerts.length, `alerts of run ${runId}`).toBeLessThanOrEqual(1);
  }
  return runs;
}
