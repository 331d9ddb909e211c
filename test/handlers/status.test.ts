import { PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { describe, expect, it } from "vitest";
import { createStatusHandler } from "../../handlers/status.ts";
import type { Deps } from "../../src/app/deps.ts";
import { lambdaContext } from "../launch/harness.ts";
import {
  fakeLaunch,
  launchedRun,
  mocks,
  runDeps,
  runTaskEvents,
  testJob,
  useRunMocks,
} from "../runs/harness.ts";
import { sqsBatch } from "../support/events.ts";

useRunMocks();

const invoke = (deps: Deps, event: unknown, launch = fakeLaunch()) =>
  createStatusHandler(async () => deps, launch)(event, lambdaContext);

describe("status handler (Lambda)", () => {
  it("applies a task's events to its run and alerts its failure", async () => {
    const deps = runDeps([testJob()]);
    const run = launchedRun("report");
    await deps.ledger.create(run);
    for (const e of runTaskEvents(run, 0, { containers: [{ name: "app", exitCode: 1 }] }))
      await invoke(deps, e);
    expect((await deps.ledger.get(run.runId))?.status).toBe("FAILED");
    expect(mocks.eventbridge).toHaveReceivedCommandTimes(PutEventsCommand, 1);
  });

  it("completes (no Lambda retry) on a malformed or foreign event", async () => {
    const deps = runDeps([testJob()]);
    await expect(invoke(deps, { "detail-type": "ECS Task State Change" })).resolves.toBeUndefined();
    const [foreign] = runTaskEvents(launchedRun("report"), 0, { startedBy: "someone-else" });
    await expect(invoke(deps, foreign)).resolves.toBeUndefined();
  });

  it("fails the invocation when the ledger fails, so Lambda retries the event", async () => {
    const deps = runDeps([testJob()]);
    deps.ledger.applyTaskEvents = async () => {
      throw Object.assign(new Error("Throughput exceeds the current capacity"), {
        name: "ProvisionedThroughputExceededException",
      });
    };
    const [event] = runTaskEvents(launchedRun("report"), 0);
    await expect(invoke(deps, event)).rejects.toThrow(/capacity/);
  });
});

describe("status handler (Lambda) on SQS batches", () => {
  it("applies each run's events in one write, and drops what can never apply without failing it", async () => {
    const deps = runDeps([testJob()]);
    const a = launchedRun("report", { runId: "20260310T110000Z-aaaaaaaa" });
    const b = launchedRun("report", { runId: "20260310T110000Z-bbbbbbbb" });
    for (const r of [a, b]) await deps.ledger.create(r);
    const writes: string[] = [];
    const apply = deps.ledger.applyTaskEvents.bind(deps.ledger);
    deps.ledger.applyTaskEvents = async (runId, details) => {
      writes.push(`${runId} ${details.length}`);
      return apply(runId, details);
    };
    const [foreign] = runTaskEvents(a, 9, { startedBy: "someone-else" });
    const events = [
      ...runTaskEvents(a, 0, { containers: [{ name: "app", exitCode: 0 }] }),
      ...runTaskEvents(b, 0, { containers: [{ name: "app", exitCode: 2 }] }),
    ].reverse();
    const answer = await invoke(deps, sqsBatch([...events, foreign, "not json", { "detail-type": "x" }]));
    expect(answer).toEqual({ batchItemFailures: [] });
    expect(writes.sort()).toEqual([`${a.runId} 4`, `${b.runId} 4`]);
    // In reverse order too, each run ends where its events delivered one by one, in order, would leave it.
    expect((await deps.ledger.get(a.runId))?.status).toBe("SUCCEEDED");
    expect((await deps.ledger.get(b.runId))?.status).toBe("FAILED");
    expect(mocks.eventbridge).toHaveReceivedCommandTimes(PutEventsCommand, 1);
  });

  it("reports the messages of a run it could not write, and only those, for SQS to deliver again", async () => {
    const deps = runDeps([testJob()]);
    const ok = launchedRun("report", { runId: "20260310T110000Z-aaaaaaaa" });
    const down = launchedRun("report", { runId: "20260310T110000Z-bbbbbbbb" });
    for (const r of [ok, down]) await deps.ledger.create(r);
    const apply = deps.ledger.applyTaskEvents.bind(deps.ledger);
    deps.ledger.applyTaskEvents = async (runId, details) => {
      if (runId === down.runId)
        throw Object.assign(new Error("Throughput exceeds the current capacity"), {
          name: "ProvisionedThroughputExceededException",
        });
      return apply(runId, details);
    };
    const [okEvent] = runTaskEvents(ok, 0);
    const [downFirst, downSecond] = runTaskEvents(down, 0);
    const answer = await invoke(deps, sqsBatch([downFirst, okEvent, downSecond]));
    expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: "m0" }, { itemIdentifier: "m2" }] });
    expect((await deps.ledger.get(ok.runId))?.tasks).toHaveLength(1);
  });

  it("completes a batch that is not an SQS batch at all, retrying nothing", async () => {
    const deps = runDeps([testJob()]);
    expect(await invoke(deps, { Records: [{ messageId: "m0" }] })).toEqual({ batchItemFailures: [] });
  });
});
