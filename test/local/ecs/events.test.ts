/** The emulator's EventBridge events have the field names and types of the real samples. */
import { RegisterTaskDefinitionCommand, RunTaskCommand, StartTaskCommand } from "@aws-sdk/client-ecs";
import { afterEach, describe, expect, it } from "vitest";
import type { ContainerInstanceStateChangeEvent } from "../../../local/ecs/index.ts";
import { createManualClock } from "../../../local/ecs/index.ts";
import { parseEcsTaskStateChange } from "../../../src/runs/events.ts";
import { loadFixture } from "../../support/events.ts";
import { AWSVPC, BRIDGE_DEF, FARGATE_DEF, type Harness, harness } from "./support.ts";

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

const kind = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);

/**
 * Every key of `expected` is in `actual` with a value of the same type, recursively; arrays are compared
 * element by element as far as both go, and a non-empty sample array must not come out empty. Timestamps
 * of the sample must be timestamps in the event too.
 */
function sameShape(expected: unknown, actual: unknown, path = ""): string[] {
  if (kind(expected) !== kind(actual))
    return [`${path || "(root)"}: ${kind(expected)} expected, got ${kind(actual)}`];
  if (typeof expected === "string" && ISO.test(expected) && !ISO.test(actual as string))
    return [`${path}: ISO timestamp expected, got ${JSON.stringify(actual)}`];
  if (Array.isArray(expected)) {
    const a = actual as unknown[];
    if (expected.length > 0 && a.length === 0) return [`${path}: non-empty list expected`];
    return expected.slice(0, a.length).flatMap((e, i) => sameShape(e, a[i], `${path}[${i}]`));
  }
  if (expected && typeof expected === "object") {
    const a = actual as Record<string, unknown>;
    return Object.entries(expected).flatMap(([k, v]) =>
      k in a ? sameShape(v, a[k], path ? `${path}.${k}` : k) : [`${path ? `${path}.` : ""}${k}: missing`],
    );
  }
  return [];
}

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("event shapes", () => {
  it("the comparison itself notices a missing field and a wrong type", () => {
    expect(sameShape({ a: { b: 1, c: "x" } }, { a: { b: "1" } })).toEqual([
      "a.b: number expected, got string",
      "a.c: missing",
    ]);
  });

  it("ECS Task State Change of a Fargate task RUNNING, and of an EC2 task STOPPED, as the samples", async () => {
    const clock = createManualClock();
    const instanceEvents: ContainerInstanceStateChangeEvent[] = [];
    const hh = await harness({
      clock,
      region: "us-west-2",
      accountId: "111122223333",
      onContainerInstanceStateChange: (e) => {
        instanceEvents.push(e);
      },
    });
    h = hh;
    await hh.ecs.send(new RegisterTaskDefinitionCommand(FARGATE_DEF));
    await hh.ecs.send(new RegisterTaskDefinitionCommand(BRIDGE_DEF));
    const fargate = await hh.ecs.send(
      new RunTaskCommand({ taskDefinition: "report", launchType: "FARGATE", networkConfiguration: AWSVPC }),
    );
    const instance = hh.emu.addContainerInstance("default");
    const ec2 = await hh.ecs.send(
      new StartTaskCommand({
        taskDefinition: "agent",
        containerInstances: [instance.containerInstanceArn as string],
        startedBy: "ecs-jobs/r1",
        group: "task-group",
      }),
    );
    await clock.advance(60_000);
    await hh.emu.idle();

    const eventOf = (arn: string | undefined, status: string) =>
      hh.events.find((e) => e.detail.taskArn === arn && e.detail.lastStatus === status);
    const running = eventOf(fargate.tasks?.[0]?.taskArn, "RUNNING");
    expect(sameShape(loadFixture("ecs-task-state-change-fargate-running"), running)).toEqual([]);
    const stopped = eventOf(ec2.tasks?.[0]?.taskArn, "STOPPED");
    expect(sameShape(loadFixture("ecs-task-state-change-ec2-running"), stopped)).toEqual([]);
    expect(running).toMatchObject({ account: "111122223333", region: "us-west-2", source: "aws.ecs" });
    expect(running?.resources).toEqual([fargate.tasks?.[0]?.taskArn]);

    // The status handler's own schema accepts every event the emulator sent.
    for (const e of hh.events) expect(() => parseEcsTaskStateChange(e)).not.toThrow();

    expect(instanceEvents).toHaveLength(1);
    expect(sameShape(loadFixture("ecs-container-instance-state-change"), instanceEvents[0])).toEqual([]);
    expect(instanceEvents[0]?.detail).toMatchObject({ status: "ACTIVE", agentConnected: true });
  });
});
