/** The RunTask pacer's slots, on a fake clock: the documented Fargate figures, handed out in order asked. */
import { describe, expect, it } from "vitest";
import { createRunTaskPacer } from "../../src/launch/runtask-pacer.ts";

/** A pacer whose sleeps only record when each call may go (now + wait); time moves when the test says. */
function paced() {
  let now = 0;
  const slots: number[] = [];
  const pacer = createRunTaskPacer({
    now: () => now,
    sleep: async (ms) => {
      slots[slots.length - 1] = now + ms;
    },
  });
  const take = async (tasks: number) => {
    slots.push(now);
    await pacer.take(tasks);
  };
  return { take, slots, at: (ms: number) => (now = ms) };
}

describe("RunTask pacer", () => {
  it("lets a burst of 90 tasks go at once (100 less headroom), then one call of 10 every 500 ms (20 tasks/s)", async () => {
    const p = paced();
    for (let i = 0; i < 12; i++) await p.take(10);
    expect(p.slots).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 500, 1000, 1500]);
  });

  it("calls of one task go 18 at once (20 less headroom), then one every 50 ms (20 calls/s)", async () => {
    const p = paced();
    for (let i = 0; i < 21; i++) await p.take(1);
    expect(p.slots.slice(16)).toEqual([0, 0, 50, 100, 150]);
  });

  it("refills while nobody asks: after 2 s idle, 40 more tasks go at once", async () => {
    const p = paced();
    for (let i = 0; i < 9; i++) await p.take(10);
    p.at(2000);
    for (let i = 0; i < 5; i++) await p.take(10);
    expect(p.slots.slice(9)).toEqual([2000, 2000, 2000, 2000, 2500]);
  });

  it("10,000 tasks in calls of 10 go by (10,000 - 90) / 20 s = 495.5 s; the limits allow 495 s", async () => {
    const p = paced();
    for (let i = 0; i < 1000; i++) await p.take(10);
    expect(p.slots.at(-1)).toBe(495_500);
  });

  it("a sleep that does not wait never makes it spin: each call waits once", async () => {
    let sleeps = 0;
    const pacer = createRunTaskPacer({ now: () => 0, sleep: async () => void sleeps++ });
    for (let i = 0; i < 50; i++) await pacer.take(10);
    expect(sleeps).toBe(41);
  });
});
