import { describe, expect, it } from "vitest";
import { flexibleDelayMs } from "../../local/flexible-window.ts";
import { type SchedulerInput, startLocalScheduler } from "../../local/scheduler.ts";
import { job } from "../support/spec.ts";

const task = "task: { taskDefinition: app, launchType: EC2 }\n";
const flexible = job(
  `schedule: { expression: "cron(0 * * * ? *)", flexibleWindowMinutes: 15 }\n${task}`,
  "flexible",
);

describe("flexible time windows, locally", () => {
  it("spreads fire times over the window, never outside it, the same for the same fire time", () => {
    const delays = Array.from({ length: 48 }, (_, h) =>
      flexibleDelayMs(
        "flexible",
        new Date(Date.UTC(2026, 2, 10, h % 24, 0, 0) + Math.floor(h / 24) * 86_400_000),
        15,
      ),
    );
    for (const d of delays) expect(d >= 0 && d < 15 * 60_000).toBe(true);
    // Not all at the start of the window (what ignoring the window did), and not all the same.
    expect(delays.filter((d) => d >= 60_000).length).toBeGreaterThan(24);
    expect(new Set(delays).size).toBeGreaterThan(40);
    expect(flexibleDelayMs("flexible", new Date("2026-03-10T05:00:00Z"), 15)).toBe(
      flexibleDelayMs("flexible", new Date("2026-03-10T05:00:00Z"), 15),
    );
    expect(flexibleDelayMs("flexible", new Date("2026-03-10T05:00:00Z"), 0)).toBe(0);
  });

  it("fires a fire time at its moment in the window, with the fire time as scheduled time", () => {
    let now = Date.parse("2026-03-10T04:59:00Z");
    const fired: SchedulerInput[] = [];
    const s = startLocalScheduler({
      jobs: [flexible],
      now: () => new Date(now),
      isEnabled: () => true,
      fire: (i) => fired.push(i),
      sweep: () => {},
      log: { info: () => {}, warn: () => {} },
      pollMs: 60_000,
    });
    try {
      const at =
        Date.parse("2026-03-10T05:00:00Z") +
        flexibleDelayMs("flexible", new Date("2026-03-10T05:00:00Z"), 15);
      now = at - 1;
      s.tick();
      expect(fired).toEqual([]);
      now = at;
      s.tick();
      expect(fired.map((f) => f.scheduledTime)).toEqual(["2026-03-10T05:00:00Z"]);
    } finally {
      s.stop();
    }
  });
});
