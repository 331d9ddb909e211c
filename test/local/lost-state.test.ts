/**
 * Lost and unwritable emulator state (issue 20, item 6): a launch whose task the emulator cannot store is
 * refused (RunTask answers a ServerException naming the file) and no task started, so the run ends FAILED
 * with that hint (never a run that looks launched, for a task a restart would lose); a run whose tasks the emulator lost (state file deleted) ends FAILED with a hint at restart
 * instead of staying RUNNING and holding a `forbid` job's slot.
 */
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Run } from "../../src/runs/model.ts";
import { api, fargate, poll, startRun } from "./support/stack.ts";
import { stacksPerTest } from "./support/suite-stack.ts";

const JOBS = {
  guarded: fargate(
    "http: true\npolicy: { concurrency: forbid }\n",
    "{ outcome: succeed, durationSeconds: 600 }",
  ),
};
const TOKEN = "lost-state-token-0123456789";
const stacks = stacksPerTest(TOKEN);

describe("emulator state that cannot be stored", () => {
  // The emulator answers RunTask a ServerException (HTTP 503) naming the file. Past the SDK's retries that
  // ends the run FAILED with a hint, as any RunTask 5xx does (issue 13), and the API answers 202 with that
  // FAILED run: never a run that looks launched, and never one holding the forbid slot.
  it("fails the launch (FAILED, no task, hint naming the file), starts no task, holds no slot", async () => {
    const p = stacks.project(JOBS);
    const logs: string[] = [];
    const stack = await stacks.start(p, { log: (l) => logs.push(l) });
    // A directory where the state file's temporary copy goes: every write fails (EISDIR), as on a
    // read-only disk, whoever runs the test (root ignores permission bits).
    const stateFile = join(p.dataDir, "ecs-emulator.json");
    const blocker = `${stateFile}.${process.pid}.tmp`;
    mkdirSync(blocker);
    const a = api(stack);
    const res = await a.post<Run>("/jobs/guarded/runs", {});
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: "FAILED", tasks: [] });
    expect(res.body.hint).toContain(`cannot store its state in ${stateFile}`);
    expect((await a.get<Run>(`/runs/${res.body.runId}`)).body.status).toBe("FAILED");
    expect(stack.emulator.tasks()).toHaveLength(0);
    expect(logs.join("")).toContain(`cannot store its state in ${stateFile}`);

    // Writable again: the next launch starts its task; the failed one left the forbid slot free.
    rmSync(blocker, { recursive: true });
    const next = await a.post<Run>("/jobs/guarded/runs", {});
    expect(next.status).toBe(202);
    expect(next.body.status).not.toBe("FAILED");
    expect(stack.emulator.tasks()).toHaveLength(1);
  });
});

describe("emulator state lost while a run was active", () => {
  it("ends the run FAILED at restart, with a hint naming the file, and frees the forbid slot", async () => {
    const p = stacks.project(JOBS);
    let stack = await stacks.start(p);
    const a1 = api(stack);
    const runId = await startRun(a1, "guarded", {});
    await poll(
      async () => (await a1.get<Run>(`/runs/${runId}`)).body,
      (r) => r.status === "RUNNING",
      { what: "the run RUNNING" },
    );
    await stack.close();
    stacks.forget();
    rmSync(join(p.dataDir, "ecs-emulator.json"));
    stack = await stacks.start(p);
    const a2 = api(stack);
    await stack.idle();
    const run = await poll(
      async () => (await a2.get<Run>(`/runs/${runId}`)).body,
      (r) => r.status !== "RUNNING" && r.status !== "PENDING",
      { what: "the run final", timeoutMs: 10_000 },
    );
    expect(run.status).toBe("FAILED");
    expect(run.hint).toContain(join(p.dataDir, "ecs-emulator.json"));
    expect((await a2.post("/jobs/guarded/runs", {})).status).toBe(202);
  });
});
