/** Reading a run's log lines from CloudWatch Logs: pages, throttling, containers without awslogs, filters. */
import { CloudWatchLogsClient, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeTaskDefinitionCommand, ECSClient } from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { createClients } from "../../src/aws/clients.ts";
import { ThrottledError, ValidationError } from "../../src/errors.ts";
import { handleHttp } from "../../src/http/router.ts";
import { streamRunLogs } from "../../src/logs/follow-logs.ts";
import { formatLogLine, type LogLine } from "../../src/logs/run-logs.ts";
import type { Run } from "../../src/runs/model.ts";
import { awsError, exampleJob, type TestDeps, testDeps } from "../launch/harness.ts";

const ecs = mockClient(ECSClient);
const logs = mockClient(CloudWatchLogsClient);
afterEach(() => {
  ecs.reset();
  logs.reset();
});

const job = exampleJob("nightly-report");
const TASK = "arn:aws:ecs:us-east-1:111122223333:task/reports/0123456789abcdef0123456789abcdef";
const RUN_ID = "20260310T020000Z-0badc0de";

function deps(): TestDeps {
  const d = testDeps();
  return {
    ...d,
    clients: createClients(
      { ecs: ECSClient, logs: CloudWatchLogsClient },
      { region: "us-east-1", credentials: { accessKeyId: "t", secretAccessKey: "t" } },
    ),
  };
}

async function withRun(d: TestDeps, status: Run["status"] = "SUCCEEDED"): Promise<Run> {
  const run: Run = {
    runId: RUN_ID,
    job: job.name,
    status,
    trigger: { kind: "cli", id: "x" },
    attempt: 1,
    createdAt: "2026-03-10T02:00:00.000Z",
    failures: [],
    tasks: [{ taskArn: TASK, lastStatus: "STOPPED", containers: [{ name: "app", exitCode: 0 }] }],
  };
  await d.ledger.create(run);
  return run;
}

const containers = (...defs: { name: string; logConfiguration?: object }[]) =>
  ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { containerDefinitions: defs as never } });
const awslogs = {
  logDriver: "awslogs",
  options: { "awslogs-group": "/ecs/report", "awslogs-stream-prefix": "ecs", "awslogs-region": "us-east-1" },
};
const event = (timestamp: number, message: string) => ({ timestamp, message, ingestionTime: timestamp });

async function readAll(d: TestDeps, filter = {}) {
  const lines: LogLine[] = [];
  const notices: string[] = [];
  await streamRunLogs(d, job, RUN_ID, {
    follow: false,
    filter,
    onLine: (l) => lines.push(l),
    onNotice: (n) => notices.push(n),
  });
  return { lines, notices };
}

describe("a run's log lines", () => {
  it("reads the awslogs stream of each task page by page until CloudWatch repeats the token", async () => {
    const d = deps();
    await withRun(d);
    containers({ name: "app", logConfiguration: awslogs });
    logs
      .on(GetLogEventsCommand)
      .resolvesOnce({ events: [event(1, "one\n"), event(2, "two")], nextForwardToken: "f/2" })
      .resolvesOnce({ events: [event(3, "three")], nextForwardToken: "f/3" })
      .resolvesOnce({ events: [], nextForwardToken: "f/3" });
    const { lines, notices } = await readAll(d);
    expect(lines.map(formatLogLine)).toEqual([
      "01234567/app | one",
      "01234567/app | two",
      "01234567/app | three",
    ]);
    expect(notices).toEqual([]);
    const asked = logs.commandCalls(GetLogEventsCommand).map((c) => c.args[0].input);
    expect(asked[0]).toMatchObject({
      logGroupName: "/ecs/report",
      logStreamName: "ecs/app/0123456789abcdef0123456789abcdef",
      startFromHead: true,
    });
    expect(asked.slice(1).map((i) => i.nextToken)).toEqual(["f/2", "f/3"]);
  });

  it("says so for a container that does not log with awslogs, and reads the others", async () => {
    const d = deps();
    await withRun(d);
    containers(
      { name: "app", logConfiguration: awslogs },
      { name: "proxy", logConfiguration: { logDriver: "splunk" } },
    );
    logs.on(GetLogEventsCommand).resolves({ events: [], nextForwardToken: "f/0" });
    const { notices } = await readAll(d);
    expect(notices).toEqual([
      "container proxy logs with splunk, not awslogs: its lines are not in CloudWatch Logs",
    ]);
  });

  it("a stream not created yet (the container never started) has no lines, not an error", async () => {
    const d = deps();
    await withRun(d);
    containers({ name: "app", logConfiguration: awslogs });
    logs.on(GetLogEventsCommand).rejects(awsError("ResourceNotFoundException", 400));
    expect((await readAll(d)).lines).toEqual([]);
  });

  it("throttling that outlasts the SDK's retries is a ThrottledError naming the stream, and a 503 over HTTP", async () => {
    const d = deps();
    await withRun(d);
    containers({ name: "app", logConfiguration: awslogs });
    logs.on(GetLogEventsCommand).rejects(awsError("ThrottlingException", 400, "Rate exceeded"));
    const error = await readAll(d).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThrottledError);
    expect((error as Error).message).toContain("ecs/app/0123456789abcdef0123456789abcdef");
    const res = await handleHttp(d, {
      method: "GET",
      path: `/runs/${RUN_ID}/logs`,
      query: {},
      headers: {},
      requestId: "r",
    });
    expect(res.status).toBe(503);
  });

  it("GET /runs/{runId}/logs?limit=N: the last N lines, each with its task and container", async () => {
    const d = deps();
    await withRun(d);
    containers({ name: "app", logConfiguration: awslogs });
    logs
      .on(GetLogEventsCommand)
      .resolves({ events: [event(5, "b"), event(6, "c")], nextForwardToken: "f/3" });
    const call = (query: Record<string, string>) =>
      handleHttp(d, { method: "GET", path: `/runs/${RUN_ID}/logs`, query, headers: {}, requestId: "r" });
    const res = await call({ limit: "2" });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).lines).toEqual([
      {
        task: "0123456789abcdef0123456789abcdef",
        container: "app",
        timestamp: 5,
        message: "b",
        text: "01234567/app | b",
      },
      {
        task: "0123456789abcdef0123456789abcdef",
        container: "app",
        timestamp: 6,
        message: "c",
        text: "01234567/app | c",
      },
    ]);
    expect(logs).toHaveReceivedCommandWith(GetLogEventsCommand, { startFromHead: false, limit: 2 });
    expect((await call({ limit: "0" })).status).toBe(400);
    expect(JSON.parse((await call({ container: "nope" })).body).error).toMatchObject({ field: "container" });
  });

  it("--task and --container that are not the run's are errors naming them", async () => {
    const d = deps();
    await withRun(d);
    containers({ name: "app", logConfiguration: awslogs });
    await expect(readAll(d, { task: "ffff" })).rejects.toThrow(ValidationError);
    await expect(readAll(d, { container: "db" })).rejects.toThrow(/no container db \(its containers: app\)/);
  });
});
