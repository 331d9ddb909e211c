/** Task lifecycles per local outcome, on a manual clock (no sleeping), seen through the SDK and the events. */
import {
  ClientException,
  DescribeTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StartTaskCommand,
  StopTaskCommand,
  type Task,
} from "@aws-sdk/client-ecs";
import { afterEach, describe, expect, it } from "vitest";
import type { BehaviourContext, LocalBehaviour, ManualClock } from "../../../local/ecs/index.ts";
import { createManualClock } from "../../../local/ecs/index.ts";
import {
  AWSVPC,
  BRIDGE_DEF,
  expectAnswersMatchModel,
  FARGATE_DEF,
  type Harness,
  harness,
  statusesOf,
} from "./support.ts";

const FARGATE_STATUSES = [
  "PROVISIONING",
  "PENDING",
  "ACTIVATING",
  "RUNNING",
  "DEACTIVATING",
  "STOPPING",
  "DEPROVISIONING",
  "STOPPED",
];

let h: Harness;
let clock: ManualClock;
afterEach(async () => {
  expectAnswersMatchModel(h.emu);
  await h.close();
});

async function setUp(behaviour: LocalBehaviour | ((ctx: BehaviourContext) => LocalBehaviour)) {
  clock = createManualClock();
  h = await harness({ clock, behaviour: typeof behaviour === "function" ? behaviour : () => behaviour });
  await h.ecs.send(new RegisterTaskDefinitionCommand(FARGATE_DEF));
  await h.ecs.send(new RegisterTaskDefinitionCommand(BRIDGE_DEF));
}

async function runFargate(): Promise<string> {
  const r = await h.ecs.send(
    new RunTaskCommand({
      taskDefinition: "report",
      launchType: "FARGATE",
      networkConfiguration: AWSVPC,
      startedBy: "ecs-jobs/report/run-1",
    }),
  );
  return r.tasks?.[0]?.taskArn as string;
}

async function describe1(arn: string): Promise<Task> {
  const d = await h.ecs.send(new DescribeTasksCommand({ tasks: [arn] }));
  return d.tasks?.[0] as Task;
}

const container = (t: Task, name: string) => t.containers?.find((c) => c.name === name);

describe("outcomes", () => {
  it("succeed: every status in order, RUNNING for durationSeconds, all containers exit 0", async () => {
    await setUp({ outcome: "succeed", durationSeconds: 5 });
    const arn = await runFargate();
    await clock.advance(60_000);
    await h.emu.idle();
    expect(statusesOf(h.events, arn)).toEqual(FARGATE_STATUSES);
    const versions = h.events.filter((e) => e.detail.taskArn === arn).map((e) => e.detail.version);
    expect(versions).toEqual(versions.map((_, i) => i + 1));

    const t = await describe1(arn);
    expect(t).toMatchObject({
      lastStatus: "STOPPED",
      desiredStatus: "STOPPED",
      stopCode: "EssentialContainerExited",
      stoppedReason: "Essential container in task exited",
      version: versions.length,
    });
    expect(container(t, "app")).toMatchObject({ exitCode: 0, lastStatus: "STOPPED" });
    expect(container(t, "sidecar")).toMatchObject({ exitCode: 0, lastStatus: "STOPPED" });
    const at = (d: Date | undefined) => d?.getTime() ?? Number.NaN;
    const order = [
      t.createdAt,
      t.pullStartedAt,
      t.pullStoppedAt,
      t.startedAt,
      t.stoppingAt,
      t.executionStoppedAt,
      t.stoppedAt,
    ].map(at);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(at(t.executionStoppedAt) - at(t.startedAt)).toBe(5000);
  });

  it("exit:N: the first essential container exits N, the sidecar 0", async () => {
    await setUp({ outcome: "exit:3", durationSeconds: 1 });
    const arn = await runFargate();
    await clock.advance(60_000);
    const t = await describe1(arn);
    expect(t.stopCode).toBe("EssentialContainerExited");
    expect(container(t, "app")?.exitCode).toBe(3);
    expect(container(t, "sidecar")?.exitCode).toBe(0);
  });

  it("oom: exit code 137 with ECS's OutOfMemoryError reason", async () => {
    await setUp({ outcome: "oom", durationSeconds: 1 });
    const arn = await runFargate();
    await clock.advance(60_000);
    const app = container(await describe1(arn), "app");
    expect(app).toMatchObject({
      exitCode: 137,
      reason: "OutOfMemoryError: Container killed due to memory usage",
    });
  });

  it("spotInterruption: stop code SpotInterruption, containers get SIGTERM", async () => {
    await setUp({ outcome: "spotInterruption", durationSeconds: 1 });
    const arn = await runFargate();
    await clock.advance(60_000);
    const t = await describe1(arn);
    expect(t).toMatchObject({
      stopCode: "SpotInterruption",
      stoppedReason: "Your Spot Task was interrupted.",
    });
    expect(container(t, "app")?.exitCode).toBe(143);
    expect(statusesOf(h.events, arn)).toContain("RUNNING");
  });

  it("failToStart:CannotPullContainerError: PENDING → STOPPED without RUNNING, ECS's message", async () => {
    await setUp({ outcome: "failToStart:CannotPullContainerError", durationSeconds: 5 });
    const arn = await runFargate();
    await clock.advance(60_000);
    await h.emu.idle();
    expect(statusesOf(h.events, arn)).toEqual(["PROVISIONING", "PENDING", "DEPROVISIONING", "STOPPED"]);
    const t = await describe1(arn);
    const reason =
      "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref docker.io/library/alpine:3.20: not found";
    expect(t).toMatchObject({
      stopCode: "TaskFailedToStart",
      stoppedReason: reason,
      desiredStatus: "STOPPED",
    });
    expect(t.startedAt).toBeUndefined();
    expect(container(t, "app")).toMatchObject({ reason, lastStatus: "STOPPED" });
    expect(container(t, "app")?.exitCode).toBeUndefined();
  });

  it("failToStart: ResourceInitializationError in ECS's form, unknown reasons verbatim", async () => {
    const reasons = ["ResourceInitializationError", "CannotPullContainerError: toomanyrequests: rate limit"];
    let i = 0;
    await setUp(() => ({ outcome: `failToStart:${reasons[i++]}`, durationSeconds: 0 }));
    const a = await runFargate();
    const b = await runFargate();
    await clock.advance(60_000);
    expect((await describe1(a)).stoppedReason).toMatch(
      /^ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed/,
    );
    expect((await describe1(b)).stoppedReason).toBe("CannotPullContainerError: toomanyrequests: rate limit");
  });

  it("EC2 tasks without awsvpc go PENDING → RUNNING → STOPPING → STOPPED on their instance", async () => {
    await setUp({ outcome: "exit:1", durationSeconds: 2 });
    const instance = h.emu.addContainerInstance("default");
    const r = await h.ecs.send(
      new StartTaskCommand({
        taskDefinition: "agent",
        containerInstances: [instance.containerInstanceArn as string],
        startedBy: "ecs-jobs/abc",
      }),
    );
    const arn = r.tasks?.[0]?.taskArn as string;
    expect(r.tasks?.[0]).toMatchObject({
      lastStatus: "PENDING",
      launchType: "EC2",
      containerInstanceArn: instance.containerInstanceArn,
    });
    await clock.advance(60_000);
    await h.emu.idle();
    expect(statusesOf(h.events, arn)).toEqual(["PENDING", "RUNNING", "STOPPING", "STOPPED"]);
    expect(container(await describe1(arn), "agent")?.exitCode).toBe(1);
  });
});

describe("StopTask", () => {
  it("stops a RUNNING task: UserInitiated, the given reason, containers exit 143", async () => {
    await setUp({ outcome: "succeed", durationSeconds: 600 });
    const arn = await runFargate();
    await clock.advance(2_000);
    expect((await describe1(arn)).lastStatus).toBe("RUNNING");
    await h.ecs.send(new StopTaskCommand({ task: arn, reason: "timeout after 60 minutes" }));
    await clock.advance(10_000);
    const t = await describe1(arn);
    expect(t).toMatchObject({
      lastStatus: "STOPPED",
      stopCode: "UserInitiated",
      stoppedReason: "timeout after 60 minutes",
    });
    expect(container(t, "app")?.exitCode).toBe(143);
  });

  it("stops a task before it runs: no RUNNING, no exit codes", async () => {
    await setUp({ outcome: "succeed", durationSeconds: 600 });
    const arn = await runFargate();
    await h.ecs.send(new StopTaskCommand({ task: arn }));
    await clock.advance(10_000);
    await h.emu.idle();
    expect(statusesOf(h.events, arn)).toEqual(["PROVISIONING", "DEPROVISIONING", "STOPPED"]);
    const t = await describe1(arn);
    expect(t).toMatchObject({ stopCode: "UserInitiated", stoppedReason: "Task stopped by user" });
    expect(container(t, "app")?.exitCode).toBeUndefined();
    // Stopping again changes nothing.
    await h.ecs.send(new StopTaskCommand({ task: arn, reason: "again" }));
    expect((await describe1(arn)).stoppedReason).toBe("Task stopped by user");
  });
});

describe("behaviour resolver", () => {
  it("is asked once per task with the launch context", async () => {
    const seen: BehaviourContext[] = [];
    await setUp((ctx) => {
      seen.push(ctx);
      return { outcome: "succeed", durationSeconds: 1 };
    });
    await h.ecs.send(
      new RunTaskCommand({
        taskDefinition: "report",
        capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }],
        networkConfiguration: AWSVPC,
        startedBy: "ecs-jobs/report/r1",
        count: 2,
        overrides: { containerOverrides: [{ name: "app", command: ["run"] }] },
      }),
    );
    expect(seen).toHaveLength(2);
    expect(seen[0]).toMatchObject({
      cluster: "arn:aws:ecs:eu-west-1:000000000000:cluster/default",
      startedBy: "ecs-jobs/report/r1",
      launchType: undefined,
      capacityProviderName: "FARGATE_SPOT",
      overrides: { containerOverrides: [{ name: "app", command: ["run"] }] },
    });
    expect(seen[0]?.taskDefinition).toMatchObject({ family: "report", revision: 1 });
    expect(seen[0]?.taskArn).not.toBe(seen[1]?.taskArn);
    const tasks = h.emu.tasks();
    expect(tasks.map((t) => t.capacityProviderName)).toEqual(["FARGATE_SPOT", "FARGATE_SPOT"]);
  });

  it("an invalid behaviour is a ClientException naming the field, and launches nothing", async () => {
    await setUp({ outcome: "explode" as LocalBehaviour["outcome"], durationSeconds: 1 });
    const call = h.ecs.send(
      new RunTaskCommand({ taskDefinition: "report", launchType: "FARGATE", networkConfiguration: AWSVPC }),
    );
    await expect(call).rejects.toBeInstanceOf(ClientException);
    await expect(call).rejects.toThrow("local.outcome");
    expect(h.emu.tasks()).toEqual([]);
  });
});
