/** RunTask throttled by the documented Fargate token buckets, on the emulator's manual clock. */
import { ECSServiceException, ListTasksCommand, RunTaskCommand } from "@aws-sdk/client-ecs";
import { afterEach, describe, expect, it } from "vitest";
import { createManualClock } from "../../../local/ecs/index.ts";
import { AWSVPC, FARGATE_DEF, type Harness, harness } from "./support.ts";

let h: Harness;
afterEach(() => h.close());

const clock = () => createManualClock(Date.parse("2026-03-10T12:00:00Z"));
const runTask = (count: number) =>
  h.ecs.send(
    new RunTaskCommand({
      taskDefinition: "report",
      launchType: "FARGATE",
      networkConfiguration: AWSVPC,
      count,
    }),
  );

async function rejection(p: Promise<unknown>): Promise<ECSServiceException> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ECSServiceException) return e;
    throw e;
  }
  throw new Error("expected a rejection");
}

describe("RunTask rate limits (Fargate: 20 calls/s; tasks bucket 100, refill 20/s)", () => {
  it("a burst of 100 tasks passes; the 101st task is throttled as ECS answers it, and nothing is started", async () => {
    const c = clock();
    h = await harness({ clock: c, rateLimits: true }, { maxAttempts: 1 });
    h.emu.registerTaskDefinition(FARGATE_DEF);
    for (let i = 0; i < 10; i++) await runTask(10);
    const error = await rejection(runTask(1));
    expect(error.name).toBe("ThrottlingException");
    expect(error.message).toBe("Rate exceeded");
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(h.emu.tasks()).toHaveLength(100);
    expect(h.emu.throttledRunTasks()).toBe(1);
  });

  it("refills 20 tasks a second on the emulator's clock", async () => {
    const c = clock();
    h = await harness({ clock: c, rateLimits: true }, { maxAttempts: 1 });
    h.emu.registerTaskDefinition(FARGATE_DEF);
    for (let i = 0; i < 10; i++) await runTask(10);
    await c.advance(499);
    // 9.98 tokens after 499 ms: 10 tasks do not fit yet.
    expect((await rejection(runTask(10))).name).toBe("ThrottlingException");
    await c.advance(1);
    await runTask(10);
    expect(h.emu.tasks()).toHaveLength(110);
  });

  it("limits calls to 20 a second whatever their count", async () => {
    const c = clock();
    h = await harness({ clock: c, rateLimits: true }, { maxAttempts: 1 });
    h.emu.registerTaskDefinition(FARGATE_DEF);
    for (let i = 0; i < 20; i++) await runTask(1);
    expect((await rejection(runTask(1))).name).toBe("ThrottlingException");
    await c.advance(50);
    await runTask(1);
    expect(h.emu.tasks()).toHaveLength(21);
  });

  it("other operations are not limited, and without the option nothing is", async () => {
    h = await harness({}, { maxAttempts: 1 });
    h.emu.registerTaskDefinition(FARGATE_DEF);
    for (let i = 0; i < 12; i++) await runTask(10);
    for (let i = 0; i < 30; i++) await h.ecs.send(new ListTasksCommand({}));
    expect(h.emu.tasks()).toHaveLength(120);
    expect(h.emu.throttledRunTasks()).toBe(0);
  });
});
