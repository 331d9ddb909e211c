/**
 * A launch ECS refuses outright (every RunTask answer a `failures` entry) makes a run final with no task and
 * so no task event: the triggering handler itself must alert, retry and count it towards a pause.
 */
import { RunTaskCommand } from "@aws-sdk/client-ecs";
import { PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { UpdateScheduleCommand } from "@aws-sdk/client-scheduler";
import { describe, expect, it } from "vitest";
import { createHttpHandler } from "../../handlers/http.ts";
import { createScheduleHandler } from "../../handlers/schedule.ts";
import { awsError, lambdaContext } from "../launch/harness.ts";
import { mocks, runDeps, sentAlerts, testJob, useRunMocks } from "../runs/harness.ts";
import { apiGatewayV2 } from "../support/events.ts";

useRunMocks();

const refused = {
  tasks: [],
  failures: [{ arn: "arn:aws:ecs:us-east-1:111122223333:container-instance/x", reason: "RESOURCE:MEMORY" }],
};

const scheduled = testJob(`schedule: { expression: "rate(1 hour)" }
http: {}
alerts: { on: [FAILED] }
`);

describe("a run refused at launch", () => {
  it("is alerted once by the schedule handler, however often the invocation repeats", async () => {
    mocks.ecs.on(RunTaskCommand).resolves(refused);
    const deps = runDeps([scheduled]);
    const handler = createScheduleHandler(async () => deps);
    const input = { job: "report", executionId: "exec-1", scheduledTime: "2026-03-10T11:00:00Z" };
    const first = (await handler(input, lambdaContext)) as { runId: string; status: string };
    await handler(input, lambdaContext);
    expect(first.status).toBe("FAILED");
    const alerts = sentAlerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.detailType).toBe("ECS Job Run FAILED");
    expect(alerts[0]?.detail).toMatchObject({ runId: first.runId, job: "report" });
  });

  it("is alerted by the http handler, which still answers 202 with the FAILED run", async () => {
    mocks.ecs.on(RunTaskCommand).resolves(refused);
    const deps = runDeps([scheduled]);
    const event = apiGatewayV2("POST", "/jobs/report/runs", "{}");
    const res = (await createHttpHandler(async () => deps)(event, lambdaContext)) as {
      statusCode: number;
      body: string;
    };
    expect(res.statusCode).toBe(202);
    expect(JSON.parse(res.body)).toMatchObject({ status: "FAILED" });
    expect(mocks.eventbridge).toHaveReceivedCommandTimes(PutEventsCommand, 1);
  });

  it("does not fail the HTTP answer when the alert cannot be sent; it logs why", async () => {
    mocks.ecs.on(RunTaskCommand).resolves(refused);
    mocks.eventbridge.on(PutEventsCommand).rejects(new Error("EventBridge is down"));
    const deps = runDeps([scheduled]);
    const event = apiGatewayV2("POST", "/jobs/report/runs", "{}");
    const res = (await createHttpHandler(async () => deps)(event, lambdaContext)) as { statusCode: number };
    expect(res.statusCode).toBe(202);
    expect(deps.log.lines.some((l) => l.level === "error" && /ended at launch failed/.test(l.message))).toBe(
      true,
    );
  });
});

/**
 * Issue 13 item 2: a RunTask error that outlasts the SDK's retries (5xx, throttling, an unreadable answer)
 * used to be thrown, leaving the run PENDING with no task and its forbid slot held until the sweeper timed
 * it out, with a TIMED_OUT alert for a run that never had a task. It is a failed launch like a refused one.
 */
describe("a run whose RunTask failed past the SDK's retries", () => {
  const forbid = (extra = "") =>
    testJob(`schedule: { expression: "rate(1 hour)" }
policy: { concurrency: forbid${extra} }
alerts: { on: [FAILED, TIMED_OUT] }
`);
  // One fire time is one run, whatever execution delivers it: each firing here is its own hour.
  const fire = (id: string) => ({
    job: "report",
    executionId: id,
    scheduledTime: `2026-03-10T1${id.slice(-1)}:00:00Z`,
  });

  it("ends FAILED at once with a FAILED alert, and the next firing is not SKIPPED", async () => {
    mocks.ecs.on(RunTaskCommand).rejects(awsError("ServerException", 500, "Service Unavailable"));
    const deps = runDeps([forbid()]);
    const handler = createScheduleHandler(async () => deps);
    const first = (await handler(fire("exec-1"), lambdaContext)) as { runId: string; status: string };
    expect(first.status).toBe("FAILED");
    expect(sentAlerts().map((a) => a.detailType)).toEqual(["ECS Job Run FAILED"]);
    expect(String(sentAlerts()[0]?.detail.hint)).toContain("ServerException");

    mocks.ecs.on(RunTaskCommand).resolves({ tasks: [], failures: [{ reason: "RESOURCE:MEMORY" }] });
    const second = (await handler(fire("exec-2"), lambdaContext)) as { status: string };
    expect(second.status).not.toBe("SKIPPED");
  });

  it("is retried by policy.retries reason:ServerException, and counts toward pauseAfterFailures", async () => {
    mocks.ecs.on(RunTaskCommand).rejects(awsError("ServerException", 500, "Service Unavailable"));
    const job = forbid(', retries: { attempts: 1, on: ["reason:ServerException"] }, pauseAfterFailures: 2');
    const deps = runDeps([job]);
    const handler = createScheduleHandler(async () => deps);
    await handler(fire("exec-1"), lambdaContext);
    const runs = [...deps.ledger.runs.values()];
    expect(runs.map((r) => [r.attempt, r.status])).toEqual([
      [1, "FAILED"],
      [2, "FAILED"],
    ]);
    // The lineage's final attempt failed: one failure in a row. A second firing makes two: paused.
    await handler(fire("exec-2"), lambdaContext);
    expect(mocks.scheduler).toHaveReceivedCommandWith(UpdateScheduleCommand, { State: "DISABLED" });
  });
});
