/**
 * A StopTask that fails past the SDK's retries, on a run ended TIMED_OUT (by the sweeper) or CANCELLED
 * (through the HTTP route): the run keeps its StopTask owed (src/app/owed-stops.ts), so the next sweep sends
 * it again, once, and the run leaves the sweeper's list when ECS takes it, or says the task is gone.
 */
import { InvalidParameterException, ServerException, StopTaskCommand } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { createHttpHandler } from "../../handlers/http.ts";
import { createStatusHandler } from "../../handlers/status.ts";
import { createSweeperHandler } from "../../handlers/sweeper.ts";
import { runTaskStartedBy } from "../../src/jobspec/requests.ts";
import { lambdaContext } from "../launch/harness.ts";
import { launchedRun, mocks, testJob, useRunMocks } from "../runs/harness.ts";
import { apiGatewayV2, taskEvent } from "../support/events.ts";
import { type Container, faultyContainer, useDynalite } from "./support-aws-faults.ts";

useRunMocks();
const db = useDynalite();

const job = testJob(`policy:
  timeoutMinutes: 30
`);
const TASK = "arn:aws:ecs:us-east-1:111122223333:task/reports/hung";
const hung = launchedRun("report", {
  runId: "20260310T103000Z-bbbbbbbb",
  status: "RUNNING",
  createdAt: "2026-03-10T10:30:05.000Z",
  startedAt: "2026-03-10T10:30:30.000Z",
  tasks: [{ taskArn: TASK, lastStatus: "RUNNING", containers: [] }],
});

const serverError = () =>
  new ServerException({ $metadata: { httpStatusCode: 500 }, message: "Service Unavailable" });
const notFound = () =>
  new InvalidParameterException({
    $metadata: { httpStatusCode: 400 },
    message: "The referenced task was not found.",
  });

async function container(now: string): Promise<Container> {
  const c = await faultyContainer(db(), [job], new Date(now));
  await c.deps.ledger.create(hung);
  return c;
}

/** StopTask answers with each of `answers` in turn (an error thrown, or taken), then takes every call. */
function stopTaskAnswers(...answers: (() => Error)[]): void {
  let i = 0;
  mocks.ecs.on(StopTaskCommand).callsFake(() => {
    const fail = answers[i++];
    if (fail) throw fail();
    return {};
  });
}

const stopCalls = () => mocks.ecs.commandCalls(StopTaskCommand).length;
const sweepOnce = (c: Container) =>
  createSweeperHandler(async () => c.deps)({}, lambdaContext).then(
    () => "answered" as const,
    () => "failed" as const,
  );
const listed = async (c: Container) =>
  (await c.deps.ledger.listActive()).map((r) => `${r.runId} ${r.status}`);

describe("a StopTask that failed past the SDK's retries", () => {
  it("on a timeout: the next sweep stops the task once, and the run leaves the sweeper's list", async () => {
    const c = await container("2026-03-10T11:01:00Z");
    stopTaskAnswers(serverError);
    await sweepOnce(c);
    expect(stopCalls()).toBe(1);
    expect(await listed(c)).toEqual([`${hung.runId} TIMED_OUT`]);

    c.deps.clock.now = new Date("2026-03-10T11:02:00Z");
    expect(await sweepOnce(c)).toBe("answered");
    expect(stopCalls()).toBe(2);
    expect(mocks.ecs.commandCalls(StopTaskCommand)[1]?.args[0].input).toMatchObject({ task: TASK });
    expect(await listed(c)).toEqual([]);

    c.deps.clock.now = new Date("2026-03-10T11:03:00Z");
    await sweepOnce(c);
    expect(stopCalls()).toBe(2);
  });

  it("failing again: the sweep fails (the run stays listed) and the one after stops it", async () => {
    const c = await container("2026-03-10T11:01:00Z");
    stopTaskAnswers(serverError, serverError);
    await sweepOnce(c);
    expect(await sweepOnce(c)).toBe("failed");
    expect(await listed(c)).toEqual([`${hung.runId} TIMED_OUT`]);
    expect(await sweepOnce(c)).toBe("answered");
    expect(stopCalls()).toBe(3);
    expect(await listed(c)).toEqual([]);
  });

  it("the task gone from ECS: no more StopTask, and the run leaves the list", async () => {
    const c = await container("2026-03-10T11:01:00Z");
    stopTaskAnswers(serverError, notFound);
    await sweepOnce(c);
    expect(await sweepOnce(c)).toBe("answered");
    expect(await listed(c)).toEqual([]);
    await sweepOnce(c);
    expect(stopCalls()).toBe(2);
  });

  it("the task's STOPPED event arrived meanwhile: no StopTask is sent again, and the run leaves the list", async () => {
    const c = await container("2026-03-10T11:01:00Z");
    stopTaskAnswers(serverError);
    await sweepOnce(c);
    const stopped = taskEvent({
      taskArn: TASK,
      startedBy: runTaskStartedBy("report", hung.runId),
      createdAt: hung.createdAt,
      lastStatus: "STOPPED",
      version: 9,
      stopCode: "EssentialContainerExited",
      containers: [{ name: "app", exitCode: 0 }],
    });
    await createStatusHandler(async () => c.deps)(stopped, lambdaContext);
    expect(await sweepOnce(c)).toBe("answered");
    expect(stopCalls()).toBe(1);
    expect(await listed(c)).toEqual([]);
    expect((await c.deps.ledger.get(hung.runId))?.status).toBe("TIMED_OUT");
  });

  it("on a cancel through the HTTP route: the next sweep stops the task once", async () => {
    const c = await container("2026-03-10T10:45:00Z");
    stopTaskAnswers(serverError);
    const answer = (await createHttpHandler(async () => c.deps)(
      apiGatewayV2("POST", `/runs/${hung.runId}/stop`),
      lambdaContext,
    )) as { statusCode: number; body: string };
    expect(answer.statusCode).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ status: "CANCELLED" });
    expect(await listed(c)).toEqual([`${hung.runId} CANCELLED`]);

    c.deps.clock.now = new Date("2026-03-10T10:46:00Z");
    expect(await sweepOnce(c)).toBe("answered");
    expect(stopCalls()).toBe(2);
    expect(await listed(c)).toEqual([]);
    await sweepOnce(c);
    expect(stopCalls()).toBe(2);
  });

  it("a cancel whose StopTask was taken leaves nothing for the sweeper", async () => {
    const c = await container("2026-03-10T10:45:00Z");
    stopTaskAnswers();
    await createHttpHandler(async () => c.deps)(
      apiGatewayV2("POST", `/runs/${hung.runId}/stop`),
      lambdaContext,
    );
    expect(stopCalls()).toBe(1);
    expect(await listed(c)).toEqual([]);
  });
});
