/** The state file: a restarted emulator finds its resources and carries in-flight tasks to STOPPED. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
} from "@aws-sdk/client-ecs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createManualClock } from "../../../local/ecs/index.ts";
import { AWSVPC, FARGATE_DEF, type Harness, harness, statusesOf } from "./support.ts";

let dir: string;
const open: Harness[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ecs-emulator-state-"));
});
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
  rmSync(dir, { recursive: true, force: true });
});

const RUN = {
  taskDefinition: "report",
  launchType: "FARGATE" as const,
  networkConfiguration: AWSVPC,
  clientToken: "run-1-0",
};

describe("stateFile", () => {
  it("resumes a RUNNING task after a restart: its outcome happens on time, versions keep growing", async () => {
    const stateFile = join(dir, "ecs.json");
    const clock1 = createManualClock(Date.parse("2026-03-01T10:00:00Z"));
    const first = await harness({
      clock: clock1,
      stateFile,
      behaviour: () => ({ outcome: "exit:4", durationSeconds: 30 }),
    });
    open.push(first);
    await first.ecs.send(new RegisterTaskDefinitionCommand(FARGATE_DEF));
    const run = await first.ecs.send(new RunTaskCommand(RUN));
    const arn = run.tasks?.[0]?.taskArn as string;
    await clock1.advance(5_000);
    expect((await first.emu.waitForTask(arn, "RUNNING")).lastStatus).toBe("RUNNING");
    await first.close();

    const clock2 = createManualClock(clock1.now() + 10_000);
    // The resolver of the new emulator is not asked again: the task keeps the behaviour it launched with.
    const second = await harness({
      clock: clock2,
      stateFile,
      behaviour: () => ({ outcome: "succeed", durationSeconds: 1 }),
    });
    open.push(second);
    const td = await second.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "report" }));
    expect(td.taskDefinition?.revision).toBe(1);
    await clock2.advance(60_000);
    await second.emu.idle();
    const t = (await second.ecs.send(new DescribeTasksCommand({ tasks: [arn] }))).tasks?.[0];
    expect(t?.lastStatus).toBe("STOPPED");
    expect(t?.containers?.find((c) => c.name === "app")?.exitCode).toBe(4);
    const runningFor = (t?.executionStoppedAt?.getTime() ?? 0) - (t?.startedAt?.getTime() ?? 0);
    expect(runningFor).toBe(30_000);
    const versions = [...first.events, ...second.events]
      .filter((e) => e.detail.taskArn === arn)
      .map((e) => e.detail.version);
    expect(versions).toEqual(versions.map((_, i) => i + 1));
    expect(statusesOf(second.events, arn)).toEqual(["DEACTIVATING", "STOPPING", "DEPROVISIONING", "STOPPED"]);

    // The clientToken survived too: the same request launches nothing new.
    const again = await second.ecs.send(new RunTaskCommand(RUN));
    expect(again.tasks?.map((x) => x.taskArn)).toEqual([arn]);
  });

  it("a task whose local process was running when the emulator stopped is reported lost", async () => {
    const stateFile = join(dir, "ecs.json");
    const first = await harness({
      stateFile,
      behaviour: () => ({ outcome: "succeed", durationSeconds: 600, exec: true }),
    });
    open.push(first);
    await first.ecs.send(
      new RegisterTaskDefinitionCommand({
        ...FARGATE_DEF,
        containerDefinitions: [
          { name: "app", image: "node", command: [process.execPath, "-e", "setInterval(() => {}, 1000)"] },
        ],
      }),
    );
    const arn = (await first.ecs.send(new RunTaskCommand(RUN))).tasks?.[0]?.taskArn as string;
    await first.emu.waitForTask(arn, "RUNNING");
    await first.close();

    const second = await harness({ stateFile });
    open.push(second);
    const t = await second.emu.waitForTask(arn, "STOPPED");
    expect(t.stopCode).toBe("TerminationNotice");
    expect(t.containers?.[0]?.reason).toMatch(/^ContainerRuntimeError: /);
    expect(second.emu.snapshot().tasks.map((r) => r.task.taskArn)).toEqual([arn]);
  });
});
