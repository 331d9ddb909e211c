import { describe, expect, it } from "vitest";
import { createEventBus } from "../../local/event-bus.ts";

const quietLog = () => {
  const lines: string[] = [];
  return {
    lines,
    log: { warn: (m: string) => lines.push(`warn ${m}`), error: (m: string) => lines.push(`error ${m}`) },
  };
};

describe("the local event bus", () => {
  it("delivers one key's events in order, even when an earlier one is slow", async () => {
    const { log } = quietLog();
    const bus = createEventBus({ log, retryDelaysMs: [] });
    const seen: string[] = [];
    const deliver = async (e: { key: string; n: number; wait: number }) => {
      await new Promise((r) => setTimeout(r, e.wait));
      seen.push(`${e.key}${e.n}`);
    };
    for (const [n, wait] of [
      [1, 30],
      [2, 0],
      [3, 10],
    ] as const)
      void bus.publish("a", `a${n}`, { key: "a", n, wait }, deliver);
    void bus.publish("b", "b1", { key: "b", n: 1, wait: 0 }, deliver);
    await bus.idle();
    expect(seen.filter((s) => s.startsWith("a"))).toEqual(["a1", "a2", "a3"]);
    // Another key is not held up behind a slow one.
    expect(seen.indexOf("b1")).toBeLessThan(seen.indexOf("a1"));
  });

  it("retries a failing delivery like a Lambda async invocation, then drops it with a log line", async () => {
    const { log, lines } = quietLog();
    const bus = createEventBus({ log, retryDelaysMs: [1, 1] });
    let calls = 0;
    const failing = async () => {
      calls++;
      throw new Error("handler crashed");
    };
    const after: string[] = [];
    const first = bus.publish("t", "event 1", {}, failing);
    const second = bus.publish("t", "event 2", {}, async () => after.push("event 2"));
    expect(await first).toBe(false);
    expect(await second).toBe(true);
    expect(calls).toBe(3);
    expect(bus.dropped).toBe(1);
    expect(lines.filter((l) => l.startsWith("warn"))).toHaveLength(2);
    expect(lines.at(-1)).toMatch(/^error dropped event 1 after 3 failed attempts/);
    expect(after).toEqual(["event 2"]);
  });

  it("succeeds on a retry when the handler recovers", async () => {
    const { log } = quietLog();
    const bus = createEventBus({ log, retryDelaysMs: [1, 1] });
    let calls = 0;
    const ok = await bus.publish("k", "flaky", {}, async () => {
      if (++calls < 2) throw new Error("transient");
    });
    expect(ok).toBe(true);
    expect(calls).toBe(2);
    expect(bus.dropped).toBe(0);
  });

  it("drops permanent failures at once and refuses events after close", async () => {
    const { log, lines } = quietLog();
    const bus = createEventBus({
      log,
      retryDelaysMs: [1000],
      isPermanent: (e) => (e as Error).message === "gone",
    });
    const started = Date.now();
    expect(
      await bus.publish("k", "x", {}, async () => {
        throw new Error("gone");
      }),
    ).toBe(false);
    expect(Date.now() - started).toBeLessThan(500);
    await bus.close();
    expect(await bus.publish("k", "late", {}, async () => {})).toBe(false);
    expect(lines.at(-1)).toMatch(/late arrived after shutdown/);
  });
});
