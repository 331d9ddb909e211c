/**
 * History survives a restart of the local stack (the ledger is on disk in dynalite), and a run that was in
 * flight when the stack stopped is brought to its final state by the next start.
 */
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { LocalAlert } from "../../local/aws/alerts.ts";
import { type Clock, createManualClock } from "../../local/offset-clock.ts";
import { type LocalStack, startLocalStack } from "../../local/stack.ts";
import { readLocalStack } from "../../src/cli/local-stack-file.ts";
import type { Run } from "../../src/runs/model.ts";
import { api, FAST_PHASES, fargate, startRun, tempProject, waitForRun } from "./support/stack.ts";

describe("restarting the local stack", () => {
  const project = tempProject({
    quick: fargate("http: true", "{ outcome: succeed, durationSeconds: 0.1 }"),
    long: fargate("http: true", "{ outcome: exit:4, durationSeconds: 1.5 }"),
    bad: fargate("http: true", "{ outcome: exit:3, durationSeconds: 0.1 }"),
  });
  const open: LocalStack[] = [];
  const start = async (clock?: Clock) => {
    const stack = await startLocalStack({
      ...(clock && { clock }),
      jobsDir: project.jobsDir,
      dataDir: project.dataDir,
      port: 0,
      token: "fixed-token-0123456789",
      log: () => {},
      phaseMs: FAST_PHASES,
    });
    open.push(stack);
    return stack;
  };

  afterAll(async () => {
    for (const s of open) await s.close();
    rmSync(project.dir, { recursive: true, force: true });
  });

  it("keeps the runs, and finishes the run that was in flight", async () => {
    // The first stack's tasks move only when the test moves its clock: the run in flight is held RUNNING
    // until the stack goes down, however slow the machine is.
    const clock = createManualClock(Date.now());
    const first = await start(clock);
    const a1 = api(first);
    expect(readLocalStack(project.dataDir)).toMatchObject({ httpUrl: first.httpUrl, ecsUrl: first.ecsUrl });
    const quick = await startRun(a1, "quick");
    await clock.advance(1_000);
    const done = await waitForRun(a1, quick);
    expect(done.status).toBe("SUCCEEDED");
    const inFlight = await startRun(a1, "long");
    await clock.advance(FAST_PHASES.provisioning + FAST_PHASES.pending + FAST_PHASES.activating);
    await first.idle();
    expect((await waitForRun(a1, inFlight, (r) => r.status === "RUNNING")).tasks[0]?.lastStatus).toBe(
      "RUNNING",
    );
    await first.close();
    expect(existsSync(join(project.dataDir, "stack.json"))).toBe(false);

    const second = await start();
    const a2 = api(second);
    expect(second.httpUrl).not.toBe(first.httpUrl);
    expect((await a2.get<Run>(`/runs/${done.runId}`)).body).toEqual(done);
    // The emulator resumed the task, the stack followed it: the run ends as its task does.
    const finished = await waitForRun(a2, inFlight);
    expect(finished.status).toBe("FAILED");
    expect(finished.tasks[0]?.containers[0]).toMatchObject({ exitCode: 4 });
    const { runs } = (await a2.get<{ runs: Run[] }>("/jobs/quick/runs")).body;
    expect(runs.map((r) => r.runId)).toEqual([done.runId]);
  });

  it("keeps the alerts: GET /alerts after a restart still lists those sent before", async () => {
    // One stack at a time on a data folder.
    for (const s of open.splice(0)) await s.close();
    const first = await start();
    const a1 = api(first);
    const failed = await waitForRun(a1, await startRun(a1, "bad"));
    await first.idle();
    const before = (await a1.get<{ alerts: LocalAlert[] }>("/alerts")).body.alerts;
    expect(before.filter((x) => x.runId === failed.runId).map((x) => x.kind)).toEqual(["FAILED"]);
    await first.close();

    const second = await start();
    const after = (await api(second).get<{ alerts: LocalAlert[] }>("/alerts")).body.alerts;
    expect(after).toEqual(expect.arrayContaining(before));
  });
});
