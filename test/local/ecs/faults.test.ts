/** Injected throttling, server errors, latency and duplicate events, and how the real SDK copes. */
import {
  DescribeTasksCommand,
  ECSServiceException,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
} from "@aws-sdk/client-ecs";
import { afterEach, describe, expect, it } from "vitest";
import { Faults } from "../../../local/ecs/faults.ts";
import { createManualClock } from "../../../local/ecs/index.ts";
import { AWSVPC, expectAnswersMatchModel, FARGATE_DEF, type Harness, harness } from "./support.ts";

let h: Harness;
afterEach(async () => {
  expectAnswersMatchModel(h.emu);
  await h.close();
});

describe("throttling and server errors", () => {
  it("the SDK retries ThrottlingException (400) and succeeds", async () => {
    h = await harness();
    await h.ecs.send(new RegisterTaskDefinitionCommand(FARGATE_DEF));
    h.emu.clearCalls();
    h.emu.faults.set({ throttleNext: 2, onlyOperations: ["RunTask"] });
    const r = await h.ecs.send(
      new RunTaskCommand({ taskDefinition: "report", launchType: "FARGATE", networkConfiguration: AWSVPC }),
    );
    expect(r.tasks).toHaveLength(1);
    expect(r.$metadata.attempts).toBe(3);
    expect(h.emu.calls().map((c) => [c.operation, c.status, c.error?.type])).toEqual([
      ["RunTask", 400, "ThrottlingException"],
      ["RunTask", 400, "ThrottlingException"],
      ["RunTask", 200, undefined],
    ]);
    // The same clientToken on every attempt: one task, not three.
    expect(h.emu.tasks()).toHaveLength(1);
  });

  it("with retries exhausted the caller gets the ThrottlingException", async () => {
    h = await harness({}, { maxAttempts: 2 });
    h.emu.faults.set({ throttleNext: 5 });
    const call = h.ecs.send(new ListTasksCommand({}));
    await expect(call).rejects.toBeInstanceOf(ECSServiceException);
    await expect(call).rejects.toMatchObject({ name: "ThrottlingException", message: "Rate exceeded" });
    const err = await call.catch((e: ECSServiceException) => e);
    expect(err.$metadata.attempts).toBe(2);
    expect(err.$metadata.httpStatusCode).toBe(400);
  });

  it("ServerException answers 500 and is retried; other operations are untouched", async () => {
    h = await harness();
    h.emu.faults.set({ errorNext: 1, onlyOperations: ["ListTasks"] });
    const r = await h.ecs.send(new ListTasksCommand({}));
    expect(r.$metadata.attempts).toBe(2);
    expect(h.emu.calls()[0]).toMatchObject({ status: 500, error: { type: "ServerException" } });
  });

  it("latency delays every answer", async () => {
    h = await harness();
    h.emu.faults.set({ latencyMs: 150 });
    const started = Date.now();
    await h.ecs.send(new ListTasksCommand({}));
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it("rates are deterministic for a seed", () => {
    const sequence = (seed: number) => {
      const f = new Faults();
      f.set({ throttleRate: 0.3, errorRate: 0.2, seed });
      return Array.from({ length: 40 }, () => f.decide("RunTask").error?.name ?? "ok").join(",");
    };
    expect(sequence(7)).toBe(sequence(7));
    expect(sequence(7)).not.toBe(sequence(8));
    expect(sequence(7)).toContain("ThrottlingException");
    expect(sequence(7)).toContain("ServerException");
    expect(() => new Faults().set({ throttleRate: 2 })).toThrow("throttleRate");
  });
});

describe("events", () => {
  it("duplicateEventRate delivers events twice, with the same id and version", async () => {
    const clock = createManualClock();
    h = await harness({ clock });
    await h.ecs.send(new RegisterTaskDefinitionCommand(FARGATE_DEF));
    h.emu.faults.set({ duplicateEventRate: 1 });
    await h.ecs.send(
      new RunTaskCommand({ taskDefinition: "report", launchType: "FARGATE", networkConfiguration: AWSVPC }),
    );
    await clock.advance(60_000);
    await h.emu.idle();
    expect(h.events.length).toBe(16);
    for (let i = 0; i < h.events.length; i += 2) expect(h.events[i]).toEqual(h.events[i + 1]);
  });

  it("lostEventRate delivers no event, while the task's state still moves (as DescribeTasks shows)", async () => {
    const clock = createManualClock();
    h = await harness({ clock });
    await h.ecs.send(new RegisterTaskDefinitionCommand(FARGATE_DEF));
    h.emu.faults.set({ lostEventRate: 1 });
    const r = await h.ecs.send(
      new RunTaskCommand({ taskDefinition: "report", launchType: "FARGATE", networkConfiguration: AWSVPC }),
    );
    await clock.advance(60_000);
    await h.emu.idle();
    expect(h.events).toEqual([]);
    const taskArn = r.tasks?.[0]?.taskArn ?? "";
    const { tasks } = await h.ecs.send(new DescribeTasksCommand({ cluster: "default", tasks: [taskArn] }));
    expect(tasks?.[0]).toMatchObject({ lastStatus: "STOPPED", version: 8 });
    expect(() => new Faults().set({ lostEventRate: -0.1 })).toThrow("lostEventRate");
  });

  it("a failing listener is reported and does not stop the lifecycle", async () => {
    const clock = createManualClock();
    const errors: unknown[] = [];
    h = await harness({
      clock,
      onTaskStateChange: () => {
        throw new Error("ledger down");
      },
      onError: (e) => errors.push(e),
    });
    await h.ecs.send(new RegisterTaskDefinitionCommand(FARGATE_DEF));
    const r = await h.ecs.send(
      new RunTaskCommand({ taskDefinition: "report", launchType: "FARGATE", networkConfiguration: AWSVPC }),
    );
    await clock.advance(60_000);
    await h.emu.idle();
    expect(errors).toHaveLength(8);
    expect((await h.emu.waitForTask(r.tasks?.[0]?.taskArn as string, "STOPPED")).lastStatus).toBe("STOPPED");
  });
});
