import { ECSClient, ListTasksCommand, RunTaskCommand, StopTaskCommand } from "@aws-sdk/client-ecs";
import {
  GetScheduleCommand,
  ListSchedulesCommand,
  SchedulerClient,
  UpdateScheduleCommand,
} from "@aws-sdk/client-scheduler";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { createHttpHandler } from "../../handlers/http.ts";
import { createClients } from "../../src/aws/clients.ts";
import { lambdaContext, placeAll, type TestDeps, testDeps } from "../launch/harness.ts";
import {
  type ApiGatewayEvent,
  loadFixture,
  apiGatewayV1 as v1,
  apiGatewayV2 as v2,
} from "../support/events.ts";

const ecs = mockClient(ECSClient);
const scheduler = mockClient(SchedulerClient);
afterEach(() => {
  ecs.reset();
  scheduler.reset();
});

/** Test deps whose clients include Scheduler (resume). */
const depsWithScheduler = (): TestDeps => ({
  ...testDeps(),
  clients: createClients(
    { ecs: ECSClient, scheduler: SchedulerClient },
    { region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } },
  ),
});

type Event = ApiGatewayEvent;

const invoke = async (deps: TestDeps, event: Event) => {
  const handler = createHttpHandler(async () => deps);
  const res = (await handler(event, lambdaContext)) as {
    statusCode: number;
    body: string;
    headers: Record<string, string>;
  };
  return {
    ...res,
    json: JSON.parse(res.body) as Record<string, unknown> & { error?: { code: string; field?: string } },
  };
};

describe.each([
  ["HTTP API 2.0", v2],
  ["REST proxy 1.0", v1],
])("the http handler with %s events", (_format, make) => {
  it("routes every SPEC route", async () => {
    placeAll(ecs);
    scheduler.on(GetScheduleCommand).resolves({
      Name: "nightly-report",
      GroupName: "ecs-jobs",
      State: "DISABLED",
      ScheduleExpression: "cron(0 3 * * ? *)",
      FlexibleTimeWindow: { Mode: "OFF" },
      Target: { Arn: "arn:aws:lambda:us-east-1:111122223333:function:f", RoleArn: "arn:aws:iam::1:role/r" },
    });
    scheduler.on(UpdateScheduleCommand).resolves({});
    scheduler
      .on(ListSchedulesCommand)
      .resolves({ Schedules: [{ Name: "nightly-report", State: "DISABLED" }] });
    ecs.on(ListTasksCommand).resolves({ taskArns: [] });
    const deps = depsWithScheduler();
    const jobs = await invoke(deps, make("GET", "/jobs"));
    expect(jobs.statusCode).toBe(200);
    const listed = jobs.json.jobs as { name: string; state: string; nextFireTimes: string[] }[];
    expect(listed.find((j) => j.name === "nightly-report")).toMatchObject({
      state: "PAUSED",
      nextFireTimes: [],
    });
    expect(listed.find((j) => j.name === "legacy-import")?.state).toBe("ENABLED");
    const job = await invoke(deps, make("GET", "/jobs/nightly-report"));
    expect(job.statusCode).toBe(200);
    expect(job.json).toMatchObject({ state: "PAUSED", nextFireTimes: [] });
    const paused = await invoke(deps, make("POST", "/jobs/nightly-report/pause"));
    expect(paused.json).toMatchObject({ job: "nightly-report", state: "PAUSED", changed: false });
    const started = await invoke(deps, make("POST", "/jobs/customer-export/runs", '{"count":2}'));
    expect(started.statusCode).toBe(202);
    expect(started.json.trigger).toMatchObject({ kind: "http", id: make === v2 ? "id" : "id=" });
    const runs = await invoke(deps, make("GET", "/jobs/customer-export/runs"));
    expect(runs.statusCode).toBe(200);
    expect((runs.json.runs as { runId: string }[])[0]?.runId).toBe(started.json.runId);
    const one = await invoke(deps, make("GET", `/runs/${started.json.runId}`));
    expect(one.statusCode).toBe(200);
    expect(one.headers["x-request-id"]).toBe(make === v2 ? "id" : "id=");
    const resumed = await invoke(deps, make("POST", "/jobs/nightly-report/resume"));
    expect(resumed.statusCode).toBe(200);
    expect(resumed.json).toMatchObject({ job: "nightly-report", state: "ENABLED", changed: true });
    expect(scheduler).toHaveReceivedCommandWith(UpdateScheduleCommand, {
      Name: "nightly-report",
      State: "ENABLED",
    });
    expect(ecs).toHaveReceivedCommandTimes(RunTaskCommand, 1);
    const stopped = await invoke(deps, make("POST", `/runs/${started.json.runId}/stop`));
    expect(stopped.statusCode).toBe(200);
    expect(stopped.json).toMatchObject({ status: "CANCELLED" });
    expect(ecs).toHaveReceivedCommandTimes(StopTaskCommand, 2);
    expect((await invoke(deps, make("POST", `/runs/${started.json.runId}/stop`))).statusCode).toBe(409);
  });

  it("answers 404 / 403 / 400 / 413 as JSON errors", async () => {
    placeAll(ecs);
    const deps = testDeps();
    const cases: [Event, number, string][] = [
      [make("POST", "/jobs/nope/runs", "{}"), 404, "NotFound"],
      [make("POST", "/jobs/nightly-report/runs", "{}"), 403, "Forbidden"],
      [make("POST", "/jobs/customer-export/runs", "{oops"), 400, "ValidationError"],
      [
        make("POST", "/jobs/customer-export/runs", '{"overrides":{"environment":{"SECRET":"s"}}}'),
        400,
        "ValidationError",
      ],
      [
        make("POST", "/jobs/customer-export/runs", JSON.stringify({ x: "y".repeat(70_000) })),
        413,
        "PayloadTooLarge",
      ],
      [make("GET", "/my/path"), 404, "NotFound"],
    ];
    for (const [event, status, code] of cases) {
      const res = await invoke(deps, event);
      expect(res.statusCode).toBe(status);
      expect(res.json.error?.code).toBe(code);
    }
    expect(ecs).toHaveReceivedCommandTimes(RunTaskCommand, 0);
  });
});

describe("the http handler", () => {
  it("answers the unmodified sample events (unknown route) with 404, not an error", async () => {
    for (const event of [loadFixture<Event>("apigw-http-v2"), loadFixture<Event>("apigw-rest-proxy-v1")]) {
      const res = await invoke(testDeps(), event);
      expect(res.statusCode).toBe(404);
    }
  });

  it("a deps failure (no catalogue) is a generic 500 without details", async () => {
    const handler = createHttpHandler(() => Promise.reject(new Error("cannot read /var/task/jobs.json")));
    const res = (await handler(v2("GET", "/jobs"), lambdaContext)) as { statusCode: number; body: string };
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain("jobs.json");
  });
});

describe("the http handler out of time", () => {
  it("answers 503 with Retry-After and a message, not a failed invocation (a bare 500 from API Gateway)", async () => {
    // A dependency that never answers: only the function's time running out ends the request.
    const handler = createHttpHandler(() => new Promise<never>(() => {}));
    const context = { ...lambdaContext, getRemainingTimeInMillis: () => 50 };
    const res = (await handler(v2("POST", "/jobs/customer-export/runs", "{}"), context)) as {
      statusCode: number;
      headers: Record<string, string>;
      body: string;
    };
    expect(res.statusCode).toBe(503);
    expect(res.headers["retry-after"]).toBe("5");
    const { error } = JSON.parse(res.body) as { error: { code: string; message: string } };
    expect(error.code).toBe("ServiceUnavailable");
    expect(error.message).toContain("GET /jobs/{name}/runs");
  });
});
