/**
 * failRun (src/app/fail-run.ts), what the local stack does at restart with a run whose tasks the emulator
 * lost: the run ends FAILED with the caller's hint and failures, the tasks ECS still lists for it are
 * stopped with the caller's reason, and its failure alert goes out; a run already final is left alone.
 */
import { ListTasksCommand, StopTaskCommand } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { failRun } from "../../src/app/fail-run.ts";
import { launchedRun, mocks, runDeps, sentAlerts, testJob, useRunMocks } from "./harness.ts";

useRunMocks();

const LOST = "arn:aws:ecs:us-east-1:111122223333:task/default/lost1";
const STILL_LISTED = "arn:aws:ecs:us-east-1:111122223333:task/default/listed2";
const HOW = {
  hint: "The emulator lost task lost1.",
  failures: [{ arn: LOST, reason: "MISSING" }],
  stopReason: "ecs-jobs: lost by the emulator",
};

const stopCalls = () =>
  mocks.ecs.commandCalls(StopTaskCommand).map((c) => [c.args[0].input.task, c.args[0].input.reason]);

describe("failRun", () => {
  it("ends the run FAILED as told, stops the tasks ECS still lists, and sends the failure alert", async () => {
    const deps = runDeps([testJob()]);
    const run = launchedRun("report", { status: "RUNNING" });
    await deps.ledger.create(run);
    mocks.ecs.on(ListTasksCommand).resolves({ taskArns: [STILL_LISTED] });

    const ended = await failRun(deps, run.runId, HOW);

    const expected = { runId: run.runId, status: "FAILED", hint: HOW.hint, failures: HOW.failures };
    expect(ended).toMatchObject(expected);
    expect(await deps.ledger.get(run.runId)).toMatchObject(expected);
    expect(stopCalls()).toEqual([[STILL_LISTED, "ecs-jobs: lost by the emulator"]]);
    expect(sentAlerts().map((a) => [a.detailType, a.detail.runId])).toEqual([
      ["ECS Job Run FAILED", run.runId],
    ]);
  });

  it("leaves a run that is final already as it was: undefined, no StopTask, no alert", async () => {
    const deps = runDeps([testJob()]);
    const run = launchedRun("report", { status: "SUCCEEDED", stoppedAt: "2026-03-10T11:30:00.000Z" });
    await deps.ledger.create(run);

    expect(await failRun(deps, run.runId, HOW)).toBeUndefined();

    expect(await deps.ledger.get(run.runId)).toMatchObject({ status: "SUCCEEDED" });
    expect(stopCalls()).toEqual([]);
    expect(sentAlerts()).toEqual([]);
  });
});
