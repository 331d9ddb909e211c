import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ECSClient, RunTaskCommand } from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { catalogPath, lambdaDeps, readCatalog } from "../../handlers/runtime.ts";
import { createScheduleHandler } from "../../handlers/schedule.ts";
import { serializeCatalog } from "../../src/catalog/build.ts";
import { runTaskRequests } from "../../src/jobspec/requests.ts";
import {
  awsError,
  ecsTask,
  exampleJob,
  lambdaContext,
  placeAll,
  type TestDeps,
  testDeps,
} from "../launch/harness.ts";
import { loadFixture } from "../support/events.ts";

const ecs = mockClient(ECSClient);
afterEach(() => {
  ecs.reset();
});

const invoke = (deps: TestDeps, event: unknown) =>
  createScheduleHandler(async () => deps)(event, lambdaContext);

const schedulerInput = (job: string, executionId = "8f0e4b7a-6c1d-4f7e-9a51-2b3c4d5e6f70") => ({
  job,
  executionId,
  scheduledTime: "2026-03-10T02:00:00Z",
});

describe("schedule handler", () => {
  it("launches one run from the Scheduler input, sending the job's RunTask calls", async () => {
    placeAll(ecs);
    const deps = testDeps();
    const out = (await invoke(deps, schedulerInput("thumbnail-fanout"))) as {
      outcome: string;
      runId: string;
    };
    expect(out).toMatchObject({ outcome: "launched", status: "PENDING" });
    const run = await deps.ledger.get(out.runId);
    expect(run?.trigger).toEqual({
      kind: "schedule",
      id: "8f0e4b7a-6c1d-4f7e-9a51-2b3c4d5e6f70",
      scheduledTime: "2026-03-10T02:00:00Z",
    });
    expect(ecs.commandCalls(RunTaskCommand).map((c) => c.args[0].input)).toEqual(
      runTaskRequests(exampleJob("thumbnail-fanout"), out.runId).map((r) => r.input),
    );
  });

  it("a duplicated invocation creates one run and launches it once", async () => {
    const task = ecsTask();
    ecs.on(RunTaskCommand).resolves({ tasks: [task] });
    const deps = testDeps();
    const a = (await invoke(deps, schedulerInput("legacy-import"))) as { runId: string };
    const b = (await invoke(deps, schedulerInput("legacy-import"))) as { runId: string };
    expect(b.runId).toBe(a.runId);
    const tokens = ecs.commandCalls(RunTaskCommand).map((c) => c.args[0].input.clientToken);
    expect(tokens).toEqual([`${a.runId}-0`]);
    expect(deps.ledger.runs.size).toBe(1);
    expect((await deps.ledger.get(a.runId))?.tasks).toHaveLength(1);
  });

  it("accepts a classic Scheduled Event naming the job by its rule", async () => {
    placeAll(ecs);
    const deps = testDeps();
    const event = loadFixture<{ resources: string[] }>("scheduled-event");
    event.resources = ["arn:aws:events:us-east-1:123456789012:rule/ecs-jobs-legacy-import"];
    const out = (await invoke(deps, event)) as { outcome: string; runId: string };
    expect(out.outcome).toBe("launched");
    expect((await deps.ledger.get(out.runId))?.trigger).toEqual({
      kind: "schedule",
      id: "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
      scheduledTime: "2015-10-08T16:53:06Z",
    });
  });

  it("drops unknown jobs and unrecognised events without throwing (a retry would not help)", async () => {
    placeAll(ecs);
    const deps = testDeps();
    await expect(invoke(deps, loadFixture("scheduled-event"))).resolves.toEqual({
      outcome: "dropped",
      reason: "unknown job my-scheduled-rule",
    });
    await expect(invoke(deps, schedulerInput("no-such-job"))).resolves.toMatchObject({ outcome: "dropped" });
    await expect(invoke(deps, { job: "legacy-import" })).resolves.toMatchObject({ outcome: "dropped" });
    await expect(invoke(deps, loadFixture("ecs-task-state-change-ec2-running"))).resolves.toMatchObject({
      outcome: "dropped",
    });
    expect(ecs).toHaveReceivedCommandTimes(RunTaskCommand, 0);
    expect(deps.log.lines.filter((l) => l.level === "warn" || l.level === "error")).toHaveLength(4);
  });

  it("fails the invocation on a ledger fault, so Lambda retries it", async () => {
    const deps = testDeps();
    deps.ledger.create = () => Promise.reject(awsError("ProvisionedThroughputExceededException", 400));
    await expect(invoke(deps, schedulerInput("legacy-import"))).rejects.toMatchObject({
      name: "ProvisionedThroughputExceededException",
    });
  });
});

describe("handler runtime (shared by every handler)", () => {
  it("builds Deps from the environment on first use: catalogue file, region, ledger table", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ecs-jobs-bundle-"));
    writeFileSync(join(dir, "jobs.json"), serializeCatalog([exampleJob("legacy-import")]));
    const env = {
      LAMBDA_TASK_ROOT: dir,
      ECS_JOBS_CATALOG: "./jobs.json",
      AWS_REGION: "eu-west-1",
      ECS_JOBS_TABLE: "t",
    };
    expect(catalogPath(env)).toBe(join(dir, "jobs.json"));
    const getDeps = lambdaDeps({ ecs: ECSClient, dynamodb: DynamoDBClient }, env);
    const deps = await getDeps();
    expect(await getDeps()).toBe(deps);
    expect(deps.catalog.jobs.map((j) => j.name)).toEqual(["legacy-import"]);
    expect(deps.config).toMatchObject({ region: "eu-west-1", tableName: "t" });
    expect(await deps.clients.ecs.config.region()).toBe("eu-west-1");
    expect(() => deps.clients.sns).toThrow(/no sns client constructor/);
  });

  it("a missing catalogue fails the invocation with a clear message, and is retried on the next one", async () => {
    const env = { LAMBDA_TASK_ROOT: "/nonexistent", ECS_JOBS_CATALOG: "./jobs.json" };
    const getDeps = lambdaDeps({ ecs: ECSClient, dynamodb: DynamoDBClient }, env);
    await expect(getDeps()).rejects.toThrow(/cannot read the job catalogue \/nonexistent\/jobs\.json/);
    expect(() => readCatalog("/nonexistent/jobs.json")).toThrow(/cannot read the job catalogue/);
  });
});
