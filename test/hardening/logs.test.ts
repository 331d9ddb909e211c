/**
 * Structured logs: every line a handler writes while it processes a run carries the run id and the job, and
 * the trigger's correlation id (Scheduler execution id, EventBridge event id, API request id) — read from the
 * real Powertools logger's JSON output, through the real handlers. Keys must not leak into the next
 * invocation (resetKeys).
 */
import { RunTaskCommand } from "@aws-sdk/client-ecs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { correlationIdOf, logger } from "../../handlers/runtime.ts";
import { createScheduleHandler } from "../../handlers/schedule.ts";
import { createStatusHandler } from "../../handlers/status.ts";
import { lambdaContext, placeAll, testDeps } from "../launch/harness.ts";
import {
  fakeLaunch,
  launchedRun,
  mocks,
  resetMocks,
  runDeps,
  runTaskEvents,
  testJob,
} from "../runs/harness.ts";

type Line = Record<string, unknown> & { level: string; message: string };
let lines: Line[] = [];

beforeEach(() => {
  lines = [];
  resetMocks();
  logger.setLogLevel("DEBUG");
  // Powertools writes one JSON document per line: debug/info to stdout, warn/error to stderr.
  const capture = (chunk: string | Uint8Array) => {
    for (const text of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(text) as Line);
    return true;
  };
  vi.spyOn(process.stdout, "write").mockImplementation(capture);
  vi.spyOn(process.stderr, "write").mockImplementation(capture);
});
afterEach(() => {
  vi.restoreAllMocks();
  logger.setLogLevel("INFO");
  for (const m of Object.values(mocks)) m.reset();
});

const EXECUTION_ID = "3f1c9e52-7d4a-4b8e-a1f0-5c6d7e8f9a0b";

describe("structured logs", () => {
  it("a schedule invocation: every line has runId, job and the Scheduler execution id", async () => {
    placeAll(mocks.ecs);
    const deps = { ...testDeps(), log: logger };
    const handler = createScheduleHandler(async () => deps);
    const out = (await handler(
      { job: "nightly-report", executionId: EXECUTION_ID, scheduledTime: "2026-03-10T02:00:00Z" },
      lambdaContext,
    )) as { runId: string };
    expect(mocks.ecs.commandCalls(RunTaskCommand)).toHaveLength(1);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines)
      expect(line, line.message).toMatchObject({
        runId: out.runId,
        job: "nightly-report",
        correlationId: EXECUTION_ID,
        function_request_id: lambdaContext.awsRequestId,
      });

    // The next invocation starts clean: an event naming no job logs no run id of the last one.
    lines = [];
    await handler(
      { job: "no-such-job", executionId: "other", scheduledTime: "2026-03-10T02:00:00Z" },
      lambdaContext,
    );
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line.runId).toBeUndefined();
      expect(line.correlationId).toBe("other");
    }
  });

  it("a status event: every line has runId, job and the EventBridge event id", async () => {
    const deps = { ...runDeps([testJob()]), log: logger };
    const run = launchedRun("report");
    await deps.ledger.create(run);
    const handler = createStatusHandler(async () => deps, fakeLaunch());
    const events = runTaskEvents(run, 0, { containers: [{ name: "app", exitCode: 1 }] });
    for (const event of events) {
      lines = [];
      await handler(event, lambdaContext);
      // Each event logs what it changed; the last one also the alert of the FAILED run.
      expect(lines.length, `no log line for ${event.detail.lastStatus}`).toBeGreaterThan(0);
      for (const line of lines)
        expect(line, line.message).toMatchObject({
          runId: run.runId,
          job: "report",
          correlationId: event.id,
        });
    }
    expect((await deps.ledger.get(run.runId))?.status).toBe("FAILED");
  });

  it("the correlation id comes from each kind of trigger, bounded, and nothing else", () => {
    expect(correlationIdOf({ job: "j", executionId: "e-1", scheduledTime: "t" })).toBe("e-1");
    expect(correlationIdOf({ id: "ev-1", "detail-type": "ECS Task State Change" })).toBe("ev-1");
    expect(correlationIdOf({ version: "2.0", requestContext: { requestId: "req-1" } })).toBe("req-1");
    expect(correlationIdOf({ id: "x".repeat(10_000) })).toHaveLength(256);
    for (const e of [null, "text", 42, [], {}, { id: 7 }, { requestContext: null }])
      expect(correlationIdOf(e)).toBeUndefined();
  });
});
