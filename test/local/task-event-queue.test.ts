/** The local stand-in for the task events queue: batches per run, in order, and only failed messages again. */
import type { SQSEvent } from "aws-lambda";
import { afterEach, describe, expect, it } from "vitest";
import { createEventBus, type LocalEventBus } from "../../local/event-bus.ts";
import { createTaskEventQueue } from "../../local/task-event-queue.ts";

let bus: LocalEventBus | undefined;
afterEach(async () => {
  await bus?.close();
  bus = undefined;
});

const quietLog = () => {
  const lines: string[] = [];
  return { lines, log: { warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m) } };
};

/** A queue over a real bus, with `status` as the function; what each invocation got, as event numbers. */
function setup(status: (numbers: number[], batch: SQSEvent) => Promise<unknown>, retryDelaysMs = [1, 1]) {
  const { lines, log } = quietLog();
  bus = createEventBus({ log, retryDelaysMs });
  const calls: number[][] = [];
  const queue = createTaskEventQueue({
    bus,
    status: async (batch) => {
      const numbers = batch.Records.map((r) => (JSON.parse(r.body) as { n: number }).n);
      calls.push(numbers);
      return status(numbers, batch);
    },
    queueArn: "arn:aws:sqs:eu-west-1:000000000000:ecs-jobs-local-task-events",
    region: "eu-west-1",
  });
  return { queue, calls, lines, bus };
}

describe("the local task events queue", () => {
  it("gathers a run's events while its batch is with the function, in order, one batch of a run at a time", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    // Resolved when the function receives a batch starting with that event: the test waits for the
    // invocation itself, not for a few milliseconds that a busy machine may not give the queue.
    const entered = new Map<number, () => void>();
    const invoked = (n: number) => new Promise<void>((r) => entered.set(n, r));
    const first = invoked(1);
    const other = invoked(10);
    const {
      queue,
      calls,
      bus: b,
    } = setup(async (numbers) => {
      entered.get(numbers[0] as number)?.();
      if (numbers[0] === 1) await gate;
      return { batchItemFailures: [] };
    });
    const sent = [queue.send("run:a", "a1", { n: 1 })];
    await first;
    for (const n of [2, 3, 4]) sent.push(queue.send("run:a", `a${n}`, { n }));
    sent.push(queue.send("run:b", "b10", { n: 10 }));
    // Run b's batch goes to the function while run a's first batch is still there.
    await other;
    release();
    expect(await Promise.all(sent)).toEqual([true, true, true, true, true]);
    await b.idle();
    expect(calls).toEqual([[1], [10], [2, 3, 4]]);
  });

  it("delivers again only the messages the function reported failed, then drops them", async () => {
    const {
      queue,
      calls,
      lines,
      bus: b,
    } = setup(async (numbers, batch) => ({
      batchItemFailures: batch.Records.filter((_, i) => numbers[i] === 2).map((r) => ({
        itemIdentifier: r.messageId,
      })),
    }));
    const sent = [1, 2, 3].map((n) => queue.send("run:a", `a${n}`, { n }));
    expect(await Promise.all(sent)).toEqual([false, false, false]);
    await b.idle();
    expect(calls).toEqual([[1, 2, 3], [2], [2]]);
    expect(lines.some((l) => /dropped a1 after 3 failed attempts/.test(l))).toBe(true);
    expect(b.dropped).toBe(1);
  });

  it("hands over SQS records as Lambda's event source mapping does", async () => {
    const { queue, bus: b } = setup(async (_n, batch) => {
      expect(batch.Records[0]).toMatchObject({
        eventSource: "aws:sqs",
        eventSourceARN: "arn:aws:sqs:eu-west-1:000000000000:ecs-jobs-local-task-events",
        awsRegion: "eu-west-1",
        body: JSON.stringify({ n: 7 }),
      });
      expect(batch.Records[0]?.messageId).toMatch(/^[0-9a-f-]{36}$/);
      return undefined;
    });
    expect(await queue.send("run:a", "a7", { n: 7 })).toBe(true);
    await b.idle();
  });
});
