import {
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  StartTaskCommand,
  type StartTaskCommandInput,
} from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { instanceRunId, startOnInstance } from "../../src/app/start-on-instance.ts";
import { cli } from "../support/cli.ts";
import { awsError, ecsTask, exampleJob, ROOT, testDeps } from "./harness.ts";

const ecs = mockClient(ECSClient);
afterEach(() => {
  ecs.reset();
});

const INSTANCE =
  "arn:aws:ecs:us-east-1:111122223333:container-instance/tiles/b54a2a04046f43319d743f6d7f6ca315";
const CLUSTER = "arn:aws:ecs:us-east-1:111122223333:cluster/tiles";
const warmup = exampleJob("node-warmup");
const launch = { job: warmup, containerInstanceArn: INSTANCE, cluster: CLUSTER };
const started = () => ecs.commandCalls(StartTaskCommand).map((c) => c.args[0].input);

describe("startOnInstance", () => {
  it("sends exactly the StartTask `ecs-jobs show --instance` prints", async () => {
    ecs.on(StartTaskCommand).resolves({ tasks: [ecsTask({ cluster: "tiles", lastStatus: "PENDING" })] });
    const run = await startOnInstance(testDeps(), launch);
    const shown = await cli(["show", "node-warmup", "--run-id", run.runId, "--instance", INSTANCE], {
      cwd: ROOT,
    });
    const [request] = JSON.parse(shown.stdout) as { operation: string; input: StartTaskCommandInput }[];
    expect(request?.operation).toBe("StartTask");
    expect(started()).toEqual([request?.input]);
    expect(run).toMatchObject({
      status: "PENDING",
      expectedTasks: 1,
      trigger: { kind: "instanceLaunch", id: INSTANCE },
    });
    expect(run.tasks).toHaveLength(1);
  });

  it("starts once per instance and job however often the event repeats", async () => {
    ecs.on(StartTaskCommand).resolves({ tasks: [ecsTask({ cluster: "tiles" })] });
    const deps = testDeps();
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push(await startOnInstance(deps, launch));
    expect(ecs).toHaveReceivedCommandTimes(StartTaskCommand, 1);
    expect(new Set(runs.map((r) => r.runId)).size).toBe(1);
    expect(deps.ledger.runs.size).toBe(1);
  });

  it("depends only on the job and the instance (and its registration time), not on the clock", () => {
    const at = new Date("2026-03-01T00:00:00Z");
    expect(instanceRunId("a", INSTANCE, at)).toBe(instanceRunId("a", INSTANCE, at));
    expect(instanceRunId("a", INSTANCE)).not.toBe(instanceRunId("b", INSTANCE));
    expect(instanceRunId("a", INSTANCE)).not.toBe(instanceRunId("a", `${INSTANCE}0`));
  });

  it("a run created by an invocation that died before recording is completed from ECS, not started again", async () => {
    const deps = testDeps();
    const runId = instanceRunId(warmup.name, INSTANCE);
    await deps.ledger.create({
      runId,
      job: warmup.name,
      status: "PENDING",
      trigger: { kind: "instanceLaunch", id: INSTANCE },
      attempt: 1,
      createdAt: "2026-03-10T11:59:00.000Z",
      expectedTasks: 1,
      failures: [],
      tasks: [],
    });
    const earlier = ecsTask({ cluster: "tiles", lastStatus: "RUNNING", startedBy: `ecs-jobs/${runId}` });
    const foreign = ecsTask({ cluster: "tiles", lastStatus: "RUNNING", startedBy: "someone-else" });
    foreign.taskArn = `${earlier.taskArn}0`;
    ecs
      .on(ListTasksCommand, { desiredStatus: "RUNNING" })
      .resolves({ taskArns: [earlier.taskArn as string, foreign.taskArn] });
    ecs.on(ListTasksCommand, { desiredStatus: "STOPPED" }).resolves({ taskArns: [] });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [earlier, foreign] });
    const run = await startOnInstance(deps, launch);
    expect(ecs).toHaveReceivedCommandTimes(StartTaskCommand, 0);
    expect(ecs).toHaveReceivedCommandWith(ListTasksCommand, {
      cluster: CLUSTER,
      containerInstance: INSTANCE,
      desiredStatus: "RUNNING",
    });
    // ECS: "When you specify startedBy as the filter, it must be the only filter that you use."
    for (const call of ecs.commandCalls(ListTasksCommand))
      expect(call.args[0].input.startedBy).toBeUndefined();
    expect(run.tasks.map((t) => t.taskArn)).toEqual([earlier.taskArn]);
    expect(run.tasks[0]?.started).toBe(true);
  });

  it("StartTask failures make the run FAILED with the reason", async () => {
    ecs
      .on(StartTaskCommand)
      .resolves({ tasks: [], failures: [{ arn: INSTANCE, reason: "RESOURCE:MEMORY" }] });
    const run = await startOnInstance(testDeps(), launch);
    expect(run.status).toBe("FAILED");
    expect(run.failures).toEqual([{ arn: INSTANCE, reason: "RESOURCE:MEMORY" }]);
    expect(run.hint).toMatch(/memory/);
  });

  it("a 4xx fails the run; a throttle the SDK's retries did not get past fails the invocation", async () => {
    ecs.on(StartTaskCommand).rejects(awsError("InvalidParameterException", 400, "bad instance"));
    const failed = await startOnInstance(testDeps(), launch);
    expect(failed.status).toBe("FAILED");
    expect(failed.failures).toEqual([{ reason: "InvalidParameterException", detail: "bad instance" }]);
    expect(ecs).toHaveReceivedCommandTimes(StartTaskCommand, 1);

    ecs.reset();
    ecs.on(StartTaskCommand).rejects(awsError("ThrottlingException", 400));
    await expect(
      startOnInstance(testDeps(), { ...launch, containerInstanceArn: `${INSTANCE}1` }),
    ).rejects.toMatchObject({ name: "ThrottlingException" });
    expect(ecs).toHaveReceivedCommandTimes(StartTaskCommand, 1);
  });
});
