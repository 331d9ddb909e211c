import { afterEach, describe, expect, it } from "vitest";
import { executionIdFor, type SchedulerInput, startLocalScheduler } from "../../local/scheduler.ts";
import { job } from "../support/spec.ts";

const task = "task: { taskDefinition: app, launchType: EC2 }\n";
const minutely = job(`schedule: { expression: "rate(1 minute)" }\n${task}`, "minutely");
const paris = job(`schedule: { expression: "cron(30 2 * * ? *)", timezone: Europe/Paris }\n${task}`, "paris");
const disabled = job(`schedule: { expression: "rate(1 minute)", enabled: false }\n${task}`, "disabled");
const manual = job(task, "manual");

const quiet = { info: () => {}, warn: () => {} };

describe("the local scheduler", () => {
  let stop: (() => void) | undefined;
  afterEach(() => stop?.());

  function start(startAt: string, enabled: (name: string) => boolean = () => true) {
    let now = Date.parse(startAt);
    const fired: SchedulerInput[] = [];
    const sweeps: Date[] = [];
    const warnings: string[] = [];
    const s = startLocalScheduler({
      jobs: [minutely, paris, disabled, manual],
      now: () => new Date(now),
      isEnabled: enabled,
      fire: (i) => fired.push(i),
      sweep: (at) => sweeps.push(at),
      log: { ...quiet, warn: (m) => warnings.push(m) },
      pollMs: 60_000,
    });
    stop = s.stop;
    return {
      s,
      fired,
      sweeps,
      warnings,
      set: (iso: string) => {
        now = Date.parse(iso);
        s.tick();
      },
    };
  }

  it("fires a rate(1 minute) schedule a minute after it started, with the scheduler input contract", () => {
    const t = start("2026-03-01T10:00:30Z");
    t.set("2026-03-01T10:01:29.999Z");
    expect(t.fired).toEqual([]);
    t.set("2026-03-01T10:01:30Z");
    expect(t.fired).toEqual([
      {
        job: "minutely",
        executionId: executionIdFor("minutely", new Date("2026-03-01T10:01:30Z")),
        scheduledTime: "2026-03-01T10:01:30Z",
      },
    ]);
    t.set("2026-03-01T10:02:00Z");
    expect(t.fired).toHaveLength(1);
    t.set("2026-03-01T10:02:30Z");
    expect(t.fired.map((f) => f.scheduledTime)).toEqual(["2026-03-01T10:01:30Z", "2026-03-01T10:02:30Z"]);
  });

  it("counts a rate schedule afresh from its last modification (a resumed schedule)", () => {
    let modified = new Date("2026-03-01T10:00:30Z");
    let now = Date.parse("2026-03-01T10:00:30Z");
    const fired: string[] = [];
    const s = startLocalScheduler({
      jobs: [minutely],
      now: () => new Date(now),
      isEnabled: () => true,
      anchor: () => modified,
      fire: (i) => fired.push(i.scheduledTime),
      sweep: () => {},
      log: quiet,
      pollMs: 60_000,
    });
    stop = s.stop;
    now = Date.parse("2026-03-01T10:05:10Z");
    modified = new Date(now);
    s.tick();
    expect(fired).toEqual([]);
    expect(s.upcoming("minutely", 1).map((d) => d.toISOString())).toEqual(["2026-03-01T10:06:10.000Z"]);
  });

  it("fires cron schedules in their time zone and lists the upcoming fire times", () => {
    const t = start("2026-03-28T00:00:00Z");
    // 02:30 Paris is 01:30 UTC in winter time (the clocks change on 29 March 2026).
    expect(t.s.upcoming("paris", 2).map((d) => d.toISOString())).toEqual([
      "2026-03-28T01:30:00.000Z",
      // 29 March: 02:30 does not exist in Paris (spring forward): skipped, as EventBridge Scheduler does.
      "2026-03-30T00:30:00.000Z",
    ]);
    expect(t.s.upcoming("manual", 3)).toEqual([]);
    t.set("2026-03-28T01:30:00Z");
    expect(t.fired.map((f) => f.job)).toContain("paris");
  });

  it("does not fire disabled or paused schedules", () => {
    const t = start("2026-03-01T10:00:30Z", (name) => name !== "minutely");
    t.set("2026-03-01T10:05:00Z");
    expect(t.fired.map((f) => f.job)).toEqual([]);
  });

  it("fires only the latest of several fire times that became due at once, and says so", () => {
    const t = start("2026-03-01T10:00:30Z");
    t.set("2026-03-01T10:10:10Z");
    expect(t.fired.map((f) => f.scheduledTime)).toEqual(["2026-03-01T10:09:30Z"]);
    expect(t.warnings.join("\n")).toMatch(/minutely: 8 earlier fire time/);
  });

  it("invokes the sweeper every minute of clock time", () => {
    const t = start("2026-03-01T10:00:30Z");
    t.set("2026-03-01T10:01:00Z");
    expect(t.sweeps).toHaveLength(0);
    t.set("2026-03-01T10:01:30Z");
    t.set("2026-03-01T10:01:45Z");
    t.set("2026-03-01T10:02:31Z");
    expect(t.sweeps.map((d) => d.toISOString())).toEqual([
      "2026-03-01T10:01:30.000Z",
      "2026-03-01T10:02:31.000Z",
    ]);
  });

  it("derives the execution id from job and fire time, so a restart does not double-fire", () => {
    const at = new Date("2026-03-01T10:01:00Z");
    expect(executionIdFor("minutely", at)).toBe(executionIdFor("minutely", new Date(at)));
    expect(executionIdFor("minutely", at)).not.toBe(executionIdFor("paris", at));
    expect(executionIdFor("minutely", at)).not.toBe(
      executionIdFor("minutely", new Date("2026-03-01T10:02:00Z")),
    );
  });
});
