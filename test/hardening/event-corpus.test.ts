/**
 * The malformed-event corpus (test/fixtures/malformed-events) fed to the Lambda handler each event would
 * reach. A bad event must never throw: Lambda retries a failed async invocation and the event would come
 * back until the DLQ takes it, for nothing. It is processed, ignored (not ours: nothing to do) or dropped
 * with a warn/error line. AWS faults are the opposite: they must throw, so that Lambda retries them.
 *
 * File names say where the event goes and what must happen: `<handler>.<outcome>.<name>.json`, handler
 * status | instance | schedule | http, outcome processed | ignored | dropped | rejected (HTTP 4xx).
 * A file that is not JSON is delivered as its text. To keep the corpus small, `{"$repeat": N, "of": X}`
 * stands for a list of N copies of X, or with `"join": true` for X repeated N times as one string (between
 * optional "prefix" and "suffix"); `$OUR_STARTED_BY` is the startedBy of the run the test prepares.
 */
import "aws-sdk-client-mock-vitest/extend";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { RunTaskCommand, StartTaskCommand } from "@aws-sdk/client-ecs";
import { PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createHttpHandler } from "../../handlers/http.ts";
import { createInstanceLaunchHandler } from "../../handlers/instance-launch.ts";
import { createScheduleHandler } from "../../handlers/schedule.ts";
import { createStatusHandler } from "../../handlers/status.ts";
import type { Deps } from "../../src/app/deps.ts";
import { runTaskStartedBy } from "../../src/jobspec/requests.ts";
import { createDynamoLedger } from "../../src/ledger/dynamo.ts";
import type { Run } from "../../src/runs/model.ts";
import { awsError, ecsTask, exampleJobs, lambdaContext, placeAll } from "../launch/harness.ts";
import {
  launchedRun,
  mocks,
  resetMocks,
  runDeps,
  runTaskEvents,
  sentAlerts,
  testJob,
} from "../runs/harness.ts";
import { sqsBatch } from "../support/events.ts";

const CORPUS = join(import.meta.dirname, "..", "fixtures", "malformed-events");
const HANDLERS = ["status", "instance", "schedule", "http"] as const;
const OUTCOMES = ["processed", "ignored", "dropped", "rejected"] as const;
type HandlerName = (typeof HANDLERS)[number];
type Outcome = (typeof OUTCOMES)[number];

interface Case {
  file: string;
  handler: HandlerName;
  outcome: Outcome;
}

const cases: Case[] = readdirSync(CORPUS)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((file) => {
    const [handler, outcome] = file.split(".") as [HandlerName, Outcome];
    if (!HANDLERS.includes(handler) || !OUTCOMES.includes(outcome))
      throw new Error(`${file}: expected <handler>.<outcome>.<name>.json`);
    return { file, handler, outcome };
  });

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function expand(value: Json, vars: Record<string, string>): Json {
  if (typeof value === "string") return vars[value] ?? value;
  if (Array.isArray(value)) return value.map((v) => expand(v, vars));
  if (value === null || typeof value !== "object") return value;
  const { $repeat, of, join: joined, prefix, suffix } = value;
  if (typeof $repeat === "number") {
    if (joined === true) return `${prefix ?? ""}${String(of).repeat($repeat)}${suffix ?? ""}`;
    const item = expand(of as Json, vars);
    return Array.from({ length: $repeat }, () => structuredClone(item));
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expand(v, vars)]));
}

function loadEvent(file: string, vars: Record<string, string>): unknown {
  const text = readFileSync(join(CORPUS, file), "utf8");
  let parsed: Json;
  try {
    parsed = JSON.parse(text) as Json;
  } catch {
    return text; // a truncated payload reaches the handler as the text it is
  }
  return expand(parsed, vars);
}

/** The jobs of every handler: the example jobs and a Fargate `report` whose run the task events belong to. */
const JOBS = [...exampleJobs(), testJob()];

const deps = () => runDeps(JOBS);
type TestDeps = ReturnType<typeof deps>;

const invoke = (name: HandlerName, d: Deps, event: unknown): Promise<unknown> => {
  const make = {
    status: createStatusHandler,
    instance: createInstanceLaunchHandler,
    schedule: createScheduleHandler,
    http: createHttpHandler,
  }[name];
  return make(async () => d)(event, lambdaContext) as Promise<unknown>;
};

const allRuns = async (d: TestDeps): Promise<Run[]> =>
  (await Promise.all(JOBS.map((j) => d.ledger.listByJob(j.name, { limit: 100 })))).flatMap((p) => p.runs);

// The middy stack logs every failed invocation (to stderr, as JSON); this file fails dozens on purpose.
beforeEach(() => {
  const write = process.stderr.write.bind(process.stderr) as (chunk: string | Uint8Array) => boolean;
  vi.spyOn(process.stderr, "write").mockImplementation(
    ((chunk: string | Uint8Array) =>
      String(chunk).startsWith('{"level"') || write(chunk)) as typeof process.stderr.write,
  );
});
afterEach(() => {
  vi.restoreAllMocks();
});

beforeEach(() => {
  resetMocks();
  placeAll(mocks.ecs);
  mocks.ecs.on(StartTaskCommand).callsFake(() => ({ tasks: [ecsTask({ cluster: "tiles" })], failures: [] }));
});
afterEach(() => {
  for (const m of Object.values(mocks)) m.reset();
});

describe("malformed-event corpus", () => {
  it("holds events for every handler", () => {
    for (const h of HANDLERS) expect(cases.filter((c) => c.handler === h).length).toBeGreaterThanOrEqual(8);
    expect(cases.length).toBeGreaterThanOrEqual(50);
  });

  it.each(cases)("$file: $outcome, never thrown", async (c) => {
    const d = deps();
    const ours = launchedRun("report");
    await d.ledger.create(ours);
    const event = loadEvent(c.file, { $OUR_STARTED_BY: runTaskStartedBy("report", ours.runId) });
    const before = await allRuns(d);

    const result = await invoke(c.handler, d, event);

    const after = await allRuns(d);
    const loud = d.log.lines.filter((l) => l.level === "warn" || l.level === "error");
    const changed = JSON.stringify(after) !== JSON.stringify(before);
    if (c.handler === "http") {
      const status = (result as { statusCode: number }).statusCode;
      if (c.outcome === "processed") expect(status).toBeLessThan(300);
      else expect(status, (result as { body: string }).body).toBeGreaterThanOrEqual(400);
      if (c.outcome === "rejected") expect(status).toBeLessThan(500);
      return;
    }
    if (c.outcome === "processed") {
      expect(changed, "the event should have changed the ledger").toBe(true);
      // Whatever was stored must fit a DynamoDB item (400 KB) with room for the rest of the run.
      for (const run of after) expect(JSON.stringify(run).length).toBeLessThan(100_000);
      return;
    }
    expect(changed, "the event should not have changed the ledger").toBe(false);
    if (c.outcome === "dropped")
      expect(loud.length, "a dropped event is logged at warn or error").toBeGreaterThan(0);
  });
});

describe("the status corpus again, each event as a message of an SQS batch (the deployed path)", () => {
  const statusCases = cases.filter((c) => c.handler === "status");

  it.each(statusCases)("$file: $outcome, never thrown, never a message to deliver again", async (c) => {
    const d = deps();
    const ours = launchedRun("report");
    await d.ledger.create(ours);
    const event = loadEvent(c.file, { $OUR_STARTED_BY: runTaskStartedBy("report", ours.runId) });
    const before = JSON.stringify(await allRuns(d));
    expect(await invoke("status", d, sqsBatch([event]))).toEqual({ batchItemFailures: [] });
    const changed = JSON.stringify(await allRuns(d)) !== before;
    expect(changed).toBe(c.outcome === "processed");
    if (c.outcome === "dropped")
      expect(d.log.lines.some((l) => l.level === "warn" || l.level === "error")).toBe(true);
  });

  it("a whole batch of them: the good ones applied, nothing to deliver again", async () => {
    const d = deps();
    const ours = launchedRun("report");
    await d.ledger.create(ours);
    const events = statusCases.map((c) =>
      loadEvent(c.file, { $OUR_STARTED_BY: runTaskStartedBy("report", ours.runId) }),
    );
    expect(await invoke("status", d, sqsBatch(events))).toEqual({ batchItemFailures: [] });
    expect((await d.ledger.get(ours.runId))?.tasks.length).toBeGreaterThan(0);
  });

  it.each([
    ["Records not a list", { Records: "x" }],
    ["a record without a body", { Records: [{ messageId: "m0", eventSource: "aws:sqs" }] }],
    [
      "a record from another source",
      { Records: [{ messageId: "m0", body: "{}", eventSource: "aws:kinesis" }] },
    ],
    ["an empty message id", { Records: [{ messageId: "", body: "{}", eventSource: "aws:sqs" }] }],
  ])("a malformed batch (%s) is dropped with a log line, nothing to deliver again", async (_what, batch) => {
    const d = deps();
    const answer = await invoke("status", d, batch);
    // Not an SQS batch at all ("Records" not a list) is taken as one malformed event: dropped, no answer.
    if (Array.isArray(batch.Records)) expect(answer).toEqual({ batchItemFailures: [] });
    else expect(answer).toBeUndefined();
    expect(d.log.lines.some((l) => l.level === "warn")).toBe(true);
  });
});

describe("AWS faults make the handlers throw, so Lambda retries them (but a RunTask error fails its run)", () => {
  const dynamo = mockClient(DynamoDBDocumentClient);
  afterEach(() => dynamo.reset());

  /** Deps whose ledger is the DynamoDB one, over a document client that fails every call with `error`. */
  const failingLedgerDeps = (error: Error): TestDeps => {
    dynamo.onAnyCommand().rejects(error);
    const client = new DynamoDBClient({
      region: "us-east-1",
      credentials: { accessKeyId: "t", secretAccessKey: "t" },
    });
    return {
      ...deps(),
      ledger: createDynamoLedger(client, { tableName: "runs", retentionDays: 1 }),
    } as never;
  };
  const dynamoErrors = [
    awsError("ProvisionedThroughputExceededException", 400),
    awsError("ThrottlingException", 400),
    awsError("InternalServerError", 500),
  ];
  const ecsErrors = [awsError("ThrottlingException", 400), awsError("ServerException", 500)];
  const schedulerInput = {
    job: "nightly-report",
    executionId: "3f1c9e52-7d4a-4b8e-a1f0-5c6d7e8f9a0b",
    scheduledTime: "2026-03-10T02:00:00Z",
  };

  it.each(dynamoErrors)("status handler: DynamoDB $name", async (error) => {
    const d = failingLedgerDeps(error);
    const [event] = runTaskEvents(launchedRun("report"), 0);
    await expect(invoke("status", d, event)).rejects.toMatchObject({ name: error.name });
  });

  it.each(ecsErrors)("status handler: EventBridge $name on the alert of a final run", async (error) => {
    const d = deps();
    const run = launchedRun("report");
    await d.ledger.create(run);
    mocks.eventbridge.on(PutEventsCommand).rejects(error);
    const events = runTaskEvents(run, 0, { containers: [{ name: "app", exitCode: 1 }] });
    for (const e of events.slice(0, -1)) await invoke("status", d, e);
    await expect(invoke("status", d, events.at(-1))).rejects.toMatchObject({ name: error.name });
    expect((await d.ledger.get(run.runId))?.status).toBe("FAILED");
  });

  it.each(dynamoErrors)("schedule handler: DynamoDB $name", async (error) => {
    const d = failingLedgerDeps(error);
    await expect(invoke("schedule", d, schedulerInput)).rejects.toMatchObject({ name: error.name });
    expect(mocks.ecs).not.toHaveReceivedCommand(RunTaskCommand);
  });

  // Not thrown since issue 13: a RunTask error that outlasts the SDK's retries left the run PENDING with no
  // task, holding its slot. It ends the run FAILED like a refused launch (test/handlers/launch-failure.test.ts).
  it.each(ecsErrors)(
    "schedule handler: ECS RunTask $name after the retries ends the run FAILED, no throw",
    async (error) => {
      const d = deps();
      mocks.ecs.on(RunTaskCommand).rejects(error);
      const answer = (await invoke("schedule", d, schedulerInput)) as { runId: string; status: string };
      expect(answer.status).toBe("FAILED");
      const [run, ...others] = await allRuns(d);
      expect(others).toEqual([]);
      expect(run).toMatchObject({ runId: answer.runId, job: "nightly-report", status: "FAILED", tasks: [] });
      expect(run?.hint).toContain(error.name);
      // The run's own alert (the job's webhook, unreachable here, adds its delivery-failure event).
      const runAlerts = () => sentAlerts().filter((a) => a.detailType.startsWith("ECS Job Run "));
      expect(runAlerts().map((a) => [a.detailType, a.detail.runId])).toEqual([
        ["ECS Job Run FAILED", answer.runId],
      ]);
      // A redelivery of the trigger finds the run final: nothing launched twice, no second alert.
      expect(await invoke("schedule", d, schedulerInput)).toMatchObject({
        runId: answer.runId,
        status: "FAILED",
      });
      expect(mocks.ecs).toHaveReceivedCommandTimes(RunTaskCommand, 1);
      expect(runAlerts()).toHaveLength(1);
    },
  );

  it.each(ecsErrors)("instance-launch handler: ECS StartTask $name", async (error) => {
    const d = deps();
    mocks.ecs.on(StartTaskCommand).rejects(error);
    const event = loadEvent("instance.processed.joined-tiles.json", {});
    await expect(invoke("instance", d, event)).rejects.toMatchObject({ name: error.name });
  });

  it.each(dynamoErrors)("instance-launch handler: DynamoDB $name", async (error) => {
    const d = failingLedgerDeps(error);
    const event = loadEvent("instance.processed.joined-tiles.json", {});
    await expect(invoke("instance", d, event)).rejects.toMatchObject({ name: error.name });
  });

  it.each(dynamoErrors)("HTTP handler (synchronous, no retry): DynamoDB $name is a 5xx", async (error) => {
    const d = failingLedgerDeps(error);
    const event = loadEvent("http.processed.v2-start-run.json", {});
    const res = (await invoke("http", d, event)) as { statusCode: number; body: string };
    expect(res.statusCode).toBeGreaterThanOrEqual(500);
    expect(res.body).not.toContain(error.message); // nothing internal leaks
  });
});
