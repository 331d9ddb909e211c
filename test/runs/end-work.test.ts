/**
 * A failed run's end-work (retry, alert, pause; src/ledger/end-work.ts) is not lost when the step that
 * ended the run fails in it: the run stays on the sweeper's list, marked, until the end-work is done, and
 * the next sweep does it, once. Runs with nothing pending, and items written before the mark existed, are
 * not listed.
 */
import { RunTaskCommand } from "@aws-sdk/client-ecs";
import { PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { describe, expect, it } from "vitest";
import { createMemoryLedger } from "../../gen/memory-ledger.ts";
import { MemoryStorage } from "../../gen/memory-storage.ts";
import { createHttpHandler } from "../../handlers/http.ts";
import { END_WORK_HELD_MS } from "../../src/app/pending-end-work.ts";
import { sweep } from "../../src/app/sweep.ts";
import {
  ACTIVE_KEY,
  jobKey,
  RECENT_KEY,
  runKey,
  sortKey,
  TTL_ATTRIBUTE,
} from "../../src/ledger/dynamo-table.ts";
import { encodeRun } from "../../src/ledger/run-codec.ts";
import type { Run } from "../../src/runs/model.ts";
import { lambdaContext } from "../launch/harness.ts";
import { apiGatewayV2 } from "../support/events.ts";
import { applyEvent } from "../support/status-path.ts";
import { launchedRun, mocks, runDeps, runTaskEvents, sentAlerts, testJob, useRunMocks } from "./harness.ts";

useRunMocks();

const at = (iso: string) => new Date(iso);
const alertTypes = () => sentAlerts().map((a) => a.detailType);
const listed = async (deps: ReturnType<typeof runDeps>) =>
  (await deps.ledger.listActive()).map((r) => `${r.runId} ${r.status} ${r.endWork ?? "-"}`);

/** EventBridge down for one PutEvents call, healthy after. */
const eventBridgeFailsOnce = () =>
  mocks.eventbridge
    .on(PutEventsCommand)
    .rejectsOnce(new Error("EventBridge is down"))
    .resolves({ FailedEntryCount: 0, Entries: [{ EventId: "event-1" }] });

describe("a MISSED run whose alert failed in the sweep that ended it", () => {
  const job = testJob("policy:\n  startDeadlineMinutes: 10\nalerts:\n  on: [MISSED]\n");

  it("is alerted by the next sweep, exactly once, and then leaves the sweeper's list", async () => {
    eventBridgeFailsOnce();
    const deps = runDeps([job], { now: at("2026-03-10T11:10:00Z") });
    const run = launchedRun("report");
    await deps.ledger.create(run);

    const first = await sweep(deps);
    // Ended MISSED, then failed in its end-work: the step's error, not a `missed` entry.
    expect(first.errors.map((e) => e.where)).toEqual([`run ${run.runId}`]);
    expect(deps.ledger.runs.get(run.runId)?.status).toBe("MISSED");
    expect(mocks.eventbridge.commandCalls(PutEventsCommand)).toHaveLength(1);
    // Final, but its end-work pending: still listed.
    expect(await listed(deps)).toEqual([`${run.runId} MISSED pending`]);

    deps.clock.now = at("2026-03-10T11:11:00Z");
    const second = await sweep(deps);
    expect(second.errors).toEqual([]);
    expect(second.endWork).toEqual([run.runId]);
    // The failed call and the one that went out.
    expect(alertTypes()).toEqual(["ECS Job Run MISSED", "ECS Job Run MISSED"]);
    expect(await listed(deps)).toEqual([]);
    expect(deps.ledger.runs.get(run.runId)?.endWork).toBeUndefined();
    expect(deps.ledger.storage.items.get(runKey(run.runId))?.activePk).toBeUndefined();

    deps.clock.now = at("2026-03-10T11:12:00Z");
    expect((await sweep(deps)).endWork).toEqual([]);
    expect(mocks.eventbridge.commandCalls(PutEventsCommand)).toHaveLength(2);
  });

  it("whose claim another end-work holds is left to it, then given up after END_WORK_HELD_MS", async () => {
    mocks.eventbridge.on(PutEventsCommand).rejects(new Error("EventBridge is down"));
    const deps = runDeps([job], { now: at("2026-03-10T11:10:00Z") });
    const run = launchedRun("report");
    await deps.ledger.create(run);
    expect((await sweep(deps)).errors).toHaveLength(1);
    const stoppedAt = deps.ledger.runs.get(run.runId)?.stoppedAt as string;
    // Another instance takes the DONE claim (its end-work under way), on the same table.
    expect(await createMemoryLedger(deps.ledger.storage).claimAlert(run.runId, "DONE")).toBe(true);
    mocks.eventbridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: "e" }] });

    deps.clock.now = new Date(Date.parse(stoppedAt) + END_WORK_HELD_MS - 1);
    expect((await sweep(deps)).errors).toEqual([]);
    expect(await listed(deps)).toEqual([`${run.runId} MISSED pending`]);

    deps.clock.now = new Date(Date.parse(stoppedAt) + END_WORK_HELD_MS);
    expect((await sweep(deps)).endWork).toEqual([run.runId]);
    expect(await listed(deps)).toEqual([]);
    // Not sent by the sweeper: the holder's.
    expect(mocks.eventbridge.commandCalls(PutEventsCommand)).toHaveLength(1);
  });
});

describe("a run that failed at launch through HTTP, its alert failing", () => {
  const job = testJob(`schedule: { expression: "rate(1 hour)" }
http: {}
alerts: { on: [FAILED] }
`);

  it("answers 202, and the next sweep sends the alert once", async () => {
    mocks.ecs.on(RunTaskCommand).resolves({
      tasks: [],
      failures: [
        { arn: "arn:aws:ecs:us-east-1:111122223333:container-instance/x", reason: "RESOURCE:MEMORY" },
      ],
    });
    eventBridgeFailsOnce();
    const deps = runDeps([job]);
    const event = apiGatewayV2("POST", "/jobs/report/runs", "{}");
    const res = (await createHttpHandler(async () => deps)(event, lambdaContext)) as {
      statusCode: number;
      body: string;
    };
    expect(res.statusCode).toBe(202);
    const { runId } = JSON.parse(res.body) as { runId: string };
    expect(await listed(deps)).toEqual([`${runId} FAILED pending`]);

    const report = await sweep(deps);
    expect(report.errors).toEqual([]);
    expect(report.endWork).toEqual([runId]);
    expect(alertTypes()).toEqual(["ECS Job Run FAILED", "ECS Job Run FAILED"]);
    expect(sentAlerts()[1]?.detail).toMatchObject({ runId, status: "FAILED" });
    expect(await listed(deps)).toEqual([]);
    await sweep(deps);
    expect(mocks.eventbridge.commandCalls(PutEventsCommand)).toHaveLength(2);
  });
});

describe("runs with no end-work pending", () => {
  const job = testJob("alerts:\n  on: [FAILED]\n");

  it("a failed run whose alert went out leaves the list with the event that ended it", async () => {
    const deps = runDeps([job]);
    const run = launchedRun("report");
    await deps.ledger.create(run);
    for (const e of runTaskEvents(run, 0, { containers: [{ name: "app", exitCode: 1 }] }))
      await applyEvent(deps, e);
    expect(deps.ledger.runs.get(run.runId)?.status).toBe("FAILED");
    expect(alertTypes()).toEqual(["ECS Job Run FAILED"]);
    expect(await listed(deps)).toEqual([]);
    expect(deps.ledger.storage.items.get(runKey(run.runId))?.activePk).toBeUndefined();
    expect((await sweep(deps)).endWork).toEqual([]);
  });

  it("a succeeded run is never marked: no write to unmark it", async () => {
    const deps = runDeps([job]);
    const run = launchedRun("report");
    await deps.ledger.create(run);
    const events = runTaskEvents(run, 0);
    for (const e of events.slice(0, -1)) await applyEvent(deps, e);
    const rev = deps.ledger.storage.items.get(runKey(run.runId))?.rev as number;
    await applyEvent(deps, events[events.length - 1]);
    const item = deps.ledger.storage.items.get(runKey(run.runId));
    expect(deps.ledger.runs.get(run.runId)?.status).toBe("SUCCEEDED");
    // The event's write, and no other.
    expect(item?.rev).toBe(rev + 1);
    expect(item?.activePk).toBeUndefined();
  });

  it("final runs stored before the mark existed (no endWork) are not listed, even when the index lists them", async () => {
    const deps = runDeps([job]);
    const old = async (run: Run, indexed: boolean) => {
      const json = JSON.stringify(run);
      await deps.ledger.storage.put({
        pk: runKey(run.runId),
        rev: 3,
        ...encodeRun(run, json),
        gsi1pk: jobKey(run.job),
        gsi1sk: sortKey(run.createdAt, run.runId),
        gsi2pk: RECENT_KEY,
        // An eventually consistent index may still show a run that ended a moment ago.
        ...(indexed && { activePk: ACTIVE_KEY }),
        [TTL_ATTRIBUTE]: 4_000_000_000,
      });
    };
    await old(launchedRun("report", { runId: "20260310T100000Z-00000001", status: "FAILED" }), true);
    await old(launchedRun("report", { runId: "20260310T100000Z-00000002", status: "MISSED" }), false);
    expect(await deps.ledger.listActive()).toEqual([]);
    const report = await sweep(deps);
    expect(report.endWork).toEqual([]);
    expect(mocks.eventbridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });
});

describe("a run kept in parts (more than the part threshold of tasks)", () => {
  it("is marked by the write that ends it, listed, and unlisted once its end-work is done", async () => {
    const storage = new MemoryStorage();
    const ledger = createMemoryLedger(storage, { taskParts: { above: 2, size: 2 } });
    const run = launchedRun("report", { runId: "20260310T110000Z-0000aaaa", expectedTasks: 5 });
    await ledger.create(run);
    const { run: ended } = await ledger.finish(run.runId, "TIMED_OUT", { hint: "too long" });
    expect(ended.endWork).toBe("pending");
    expect((await ledger.listActive()).map((r) => [r.runId, r.status])).toEqual([[run.runId, "TIMED_OUT"]]);
    expect(storage.items.get(runKey(run.runId))?.activePk).toBe(ACTIVE_KEY);
    await ledger.stopDone(run.runId);
    expect(storage.items.get(runKey(run.runId))?.activePk).toBe(ACTIVE_KEY);
    await ledger.endWorkDone(run.runId);
    expect(await ledger.listActive()).toEqual([]);
    expect(storage.items.get(runKey(run.runId))?.activePk).toBeUndefined();
    expect((await ledger.get(run.runId))?.status).toBe("TIMED_OUT");
  });
});
