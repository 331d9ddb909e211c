import { DescribeContainerInstancesCommand, ECSClient, StartTaskCommand } from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { createInstanceLaunchHandler } from "../../handlers/instance-launch.ts";
import { startTaskRequest } from "../../src/jobspec/requests.ts";
import {
  awsError,
  ecsTask,
  exampleJob,
  exampleJobs,
  lambdaContext,
  type TestDeps,
  testDeps,
} from "../launch/harness.ts";
import { loadFixture } from "../support/events.ts";
import { job } from "../support/spec.ts";

const ecs = mockClient(ECSClient);
afterEach(() => {
  ecs.reset();
});

type Event = { detail: Record<string, unknown> };
const invoke = (deps: TestDeps, event: unknown) =>
  createInstanceLaunchHandler(async () => deps)(event, lambdaContext) as Promise<{
    started: { job: string; runId: string }[];
  }>;

/** The sample event, for an instance of the `tiles` cluster (where node-warmup runs). */
function joined(patch: Record<string, unknown> = {}): Event {
  const e = loadFixture<Event>("ecs-container-instance-state-change");
  e.detail.clusterArn = "arn:aws:ecs:us-east-1:111122223333:cluster/tiles";
  Object.assign(e.detail, patch);
  return e;
}
const INSTANCE = "arn:aws:ecs:us-east-1:111122223333:container-instance/b54a2a04-046f-4331-9d74-3f6d7f6ca315";

describe("instance-launch handler", () => {
  it("starts each onInstanceLaunch job of the cluster on the instance, with the request `show` prints", async () => {
    ecs.on(StartTaskCommand).resolves({ tasks: [ecsTask({ cluster: "tiles" })] });
    const deps = testDeps();
    const out = await invoke(deps, joined());
    expect(out.started.map((s) => s.job)).toEqual(["node-warmup"]);
    const runId = out.started[0]?.runId as string;
    expect(ecs.commandCalls(StartTaskCommand).map((c) => c.args[0].input)).toEqual([
      startTaskRequest(exampleJob("node-warmup"), runId, INSTANCE).input,
    ]);
  });

  it("starts once per instance and job even when the event repeats (agent reconnects, updates)", async () => {
    ecs.on(StartTaskCommand).resolves({ tasks: [ecsTask({ cluster: "tiles" })] });
    const deps = testDeps();
    await invoke(deps, joined());
    await invoke(deps, joined({ version: 14802, updatedAt: "2016-12-06T16:45:00.000Z" }));
    await invoke(deps, joined({ agentConnected: false }));
    await invoke(deps, joined({ version: 14803 }));
    expect(ecs).toHaveReceivedCommandTimes(StartTaskCommand, 1);
    expect(deps.ledger.runs.size).toBe(1);

    // Another instance is another start.
    await invoke(deps, joined({ containerInstanceArn: `${INSTANCE}-2` }));
    expect(ecs).toHaveReceivedCommandTimes(StartTaskCommand, 2);
  });

  it("without registeredAt in the event (as in AWS's sample), the run id carries the instance's registration time from ECS", async () => {
    ecs.on(StartTaskCommand).resolves({ tasks: [ecsTask({ cluster: "tiles" })] });
    ecs.on(DescribeContainerInstancesCommand).resolves({
      containerInstances: [
        { containerInstanceArn: INSTANCE, registeredAt: new Date("2016-12-06T16:41:05.702Z") },
      ],
    });
    const deps = testDeps();
    const first = await invoke(deps, joined());
    // A later event of the same instance (agent reconnect) has another time: still the same run.
    const later = joined({ version: 14802 }) as Event & { time: string; id: string };
    later.time = "2016-12-06T18:00:00Z";
    later.id = "another-event";
    await invoke(deps, later);
    expect(first.started[0]?.runId).toMatch(/^20161206T164105Z-/);
    expect(ecs).toHaveReceivedCommandWith(DescribeContainerInstancesCommand, {
      cluster: "arn:aws:ecs:us-east-1:111122223333:cluster/tiles",
      containerInstances: [INSTANCE],
    });
    expect(ecs).toHaveReceivedCommandTimes(StartTaskCommand, 1);
  });

  it("when ECS will not say when the instance registered, the run id carries the event's time, not 1970", async () => {
    ecs.on(StartTaskCommand).resolves({ tasks: [ecsTask({ cluster: "tiles" })] });
    ecs.on(DescribeContainerInstancesCommand).rejects(awsError("AccessDeniedException", 400));
    const out = await invoke(testDeps(), joined());
    expect(out.started[0]?.runId).toMatch(/^20161206T164106Z-/);
  });

  it.each([
    ["DRAINING", true],
    ["INACTIVE", true],
    ["REGISTERING", true],
    ["ACTIVE", false],
  ])("ignores an instance %s with agentConnected %s", async (status, agentConnected) => {
    const deps = testDeps();
    await expect(invoke(deps, joined({ status, agentConnected }))).resolves.toEqual({ started: [] });
    expect(ecs).toHaveReceivedCommandTimes(StartTaskCommand, 0);
  });

  it("ignores other clusters, jobs without onInstanceLaunch, and other events", async () => {
    const deps = testDeps();
    await expect(invoke(deps, loadFixture("ecs-container-instance-state-change"))).resolves.toEqual({
      started: [],
    });
    await expect(invoke(deps, loadFixture("ecs-task-state-change-ec2-running"))).resolves.toEqual({
      started: [],
    });
    await expect(invoke(deps, loadFixture("scheduled-event"))).resolves.toEqual({ started: [] });
    expect(ecs).toHaveReceivedCommandTimes(StartTaskCommand, 0);
  });

  it("matches a job whose cluster is given as an ARN", async () => {
    ecs.on(StartTaskCommand).resolves({ tasks: [ecsTask({ cluster: "default" })] });
    const byArn = job(
      "onInstanceLaunch: true\ntask:\n  cluster: arn:aws:ecs:us-east-1:111122223333:cluster/default\n  taskDefinition: agent:1\n  launchType: EC2\n",
      "agent",
    );
    const deps = testDeps([...exampleJobs(), byArn]);
    const out = await invoke(deps, loadFixture("ecs-container-instance-state-change"));
    expect(out.started.map((s) => s.job)).toEqual(["agent"]);
  });
});
