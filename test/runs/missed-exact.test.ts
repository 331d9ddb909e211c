import { ListSchedulesCommand } from "@aws-sdk/client-scheduler";
import { describe, expect, it } from "vitest";
import { catchUpTimes, rerunRequest, unansweredFireTimes } from "../../src/app/missed.ts";
import { sweep } from "../../src/app/sweep.ts";
import type { Run } from "../../src/runs/model.ts";
import { runIdFor } from "../../src/runs/run-id.ts";
import { fakeLaunch, launchedRun, mocks, runDeps, sentAlerts, testJob, useRunMocks } from "./harness.ts";

useRunMocks();

const at = (iso: string) => new Date(iso);
const ms = (iso: string) => Date.parse(iso);
const enabled = () =>
  mocks.scheduler.on(ListSchedulesCommand).resolves({
    Schedules: [
      {
        Name: "report",
        GroupName: "ecs-jobs",
        State: "ENABLED",
        CreationDate: at("2026-01-01T00:00:00Z"),
        LastModificationDate: at("2026-03-01T00:00:00Z"),
      },
    ],
  });
/** A run of the scheduled fire time `time` (Scheduler's scheduled-time, to the second). */
const fired = (time: string, extra: Partial<Run> = {}): Run =>
  launchedRun("report", {
    runId: runIdFor("report", { kind: "schedule", id: `exec-${time}`, scheduledTime: time }, at(time)),
    trigger: { kind: "schedule", id: `exec-${time}`, scheduledTime: time },
    createdAt: time.replace("Z", ".500Z"),
    status: "SUCCEEDED",
    ...extra,
  });

describe("missed fire times, matched one to one", () => {
  const everyMinute = testJob(
    "schedule:\n  expression: cron(* * * * ? *)\npolicy:\n  startDeadlineMinutes: 1\n",
  );

  it("reports each of three missed minutes after a run, not only the one a minute away", () => {
    const runs = [fired("2026-03-10T11:00:00Z")];
    const window = { from: ms("2026-03-10T10:59:30Z"), to: ms("2026-03-10T11:03:00Z") };
    expect(unansweredFireTimes(everyMinute, runs, window).map((t) => new Date(t).toISOString())).toEqual([
      "2026-03-10T11:01:00.000Z",
      "2026-03-10T11:02:00.000Z",
      "2026-03-10T11:03:00.000Z",
    ]);
  });

  it("lets a run without its exact fire time (a classic rule's event time) answer one fire time only", () => {
    const late = launchedRun("report", {
      trigger: { kind: "schedule", id: "rule-event", scheduledTime: "2026-03-10T11:01:20Z" },
    });
    const window = { from: ms("2026-03-10T11:00:30Z"), to: ms("2026-03-10T11:02:00Z") };
    expect(unansweredFireTimes(everyMinute, [late], window).map((t) => new Date(t).toISOString())).toEqual([
      "2026-03-10T11:02:00.000Z",
    ]);
  });

  it("is reported by the first sweep after its deadline (fire time + start deadline + 1 minute)", async () => {
    enabled();
    const hourly = testJob("schedule:\n  expression: cron(0 * * * ? *)\n");
    // No policy.startDeadlineMinutes: the default grace is 10 minutes.
    const deps = runDeps([hourly], { now: at("2026-03-10T11:10:59Z") });
    await deps.ledger.create(fired("2026-03-10T10:00:00Z"));
    expect((await sweep(deps)).missedFireTimes).toEqual([]);
    deps.clock.now = at("2026-03-10T11:11:00Z");
    const [missed] = (await sweep(deps)).missedFireTimes;
    expect(missed?.trigger.scheduledTime).toBe("2026-03-10T11:00:00.000Z");
  });
});

describe("a fire time is one identity", () => {
  it("gives a MISSED record the id of the scheduled run it stands for, so a late delivery launches nothing", async () => {
    enabled();
    const hourly = testJob(
      "schedule:\n  expression: cron(0 * * * ? *)\npolicy:\n  startDeadlineMinutes: 5\n",
    );
    const launch = fakeLaunch();
    const deps = runDeps([hourly], { now: at("2026-03-10T11:20:00Z"), launch });
    await deps.ledger.create(fired("2026-03-10T10:00:00Z"));
    const [missed] = (await sweep(deps)).missedFireTimes;
    // What the launcher computes for Scheduler's delivery of 11:00, whatever its execution id.
    const late = runIdFor(
      "report",
      { kind: "schedule", id: "exec-late", scheduledTime: "2026-03-10T11:00:00Z" },
      at("2026-03-10T11:00:00Z"),
    );
    expect(missed?.runId).toBe(late);
    const { created, run } = await deps.ledger.create(
      fired("2026-03-10T11:00:00Z", { runId: late, status: "PENDING" }),
    );
    expect(created).toBe(false);
    expect(run.status).toBe("MISSED");
  });

  it("gives a catch-up and a backfill of one fire time the same run id, and a scheduled run another", () => {
    const job = testJob("schedule:\n  expression: cron(0 * * * ? *)\n");
    const t = at("2026-03-10T11:00:00Z");
    const id = (r: ReturnType<typeof rerunRequest>) => runIdFor(job.name, r.trigger, r.at);
    expect(id(rerunRequest(job, t, "catchUp"))).toBe(id(rerunRequest(job, t, "backfill", "alice")));
    expect(id(rerunRequest(job, t, "catchUp"))).not.toBe(fired("2026-03-10T11:00:00Z").runId);
    expect(id(rerunRequest(job, t, "catchUp"))).not.toBe(
      id(rerunRequest(job, at("2026-03-10T12:00:00Z"), "catchUp")),
    );
  });
});

describe("policy.catchUp", () => {
  const hours = ["2026-03-10T08:00:00Z", "2026-03-10T09:00:00Z", "2026-03-10T10:00:00Z"].map(ms);
  const spec = (catchUp: string, window = 60) =>
    testJob(
      `schedule:\n  expression: cron(0 * * * ? *)\npolicy:\n  startDeadlineMinutes: 5\n  catchUp: ${catchUp}\n  catchUpWindowMinutes: ${window}\n`,
    );

  it("picks none, the latest, or all of the missed fire times younger than the window", () => {
    const now = ms("2026-03-10T10:30:00Z");
    expect(catchUpTimes(spec("none"), hours, now)).toEqual([]);
    expect(catchUpTimes(spec("latest"), hours, now)).toEqual([ms("2026-03-10T10:00:00Z")]);
    expect(catchUpTimes(spec("all", 120), [...hours].reverse(), now)).toEqual([
      ms("2026-03-10T09:00:00Z"),
      ms("2026-03-10T10:00:00Z"),
    ]);
    expect(catchUpTimes(spec("latest", 20), hours, now)).toEqual([]);
  });

  it("launches the latest missed fire time once after an outage, and MISSED alerts for each", async () => {
    enabled();
    const launch = fakeLaunch();
    const deps = runDeps([spec("latest", 180)], { now: at("2026-03-10T11:10:00Z"), launch });
    await deps.ledger.create(fired("2026-03-10T08:00:00Z"));
    const report = await sweep(deps);
    expect(report.missedFireTimes.map((r) => r.trigger.scheduledTime)).toEqual([
      "2026-03-10T09:00:00.000Z",
      "2026-03-10T10:00:00.000Z",
      "2026-03-10T11:00:00.000Z",
    ]);
    expect(sentAlerts().filter((a) => a.detailType === "ECS Job Run MISSED")).toHaveLength(3);
    expect(launch.calls.map((c) => [c.trigger.kind, c.trigger.scheduledTime])).toEqual([
      ["catchUp", "2026-03-10T11:00:00.000Z"],
    ]);
    const caughtUp = await deps.ledger.get(
      runIdFor("report", launch.calls[0]!.trigger, at("2026-03-10T11:00:00Z")),
    );
    expect(caughtUp?.trigger.kind).toBe("catchUp");

    // The next sweep finds every fire time answered and launches nothing more.
    deps.clock.now = at("2026-03-10T11:11:00Z");
    expect((await sweep(deps)).missedFireTimes).toEqual([]);
    expect(launch.calls).toHaveLength(1);
  });

  it("launches all missed fire times within the window with catchUp: all", async () => {
    enabled();
    const launch = fakeLaunch();
    const deps = runDeps([spec("all", 90)], { now: at("2026-03-10T11:10:00Z"), launch });
    await deps.ledger.create(fired("2026-03-10T08:00:00Z"));
    await sweep(deps);
    expect(launch.calls.map((c) => c.trigger.scheduledTime)).toEqual([
      "2026-03-10T10:00:00.000Z",
      "2026-03-10T11:00:00.000Z",
    ]);
  });
});
