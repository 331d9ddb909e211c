import { PutEventsCommand, type PutEventsCommandInput } from "@aws-sdk/client-eventbridge";
import { GetScheduleCommand, UpdateScheduleCommand } from "@aws-sdk/client-scheduler";
import { describe, expect, it } from "vitest";
import { resumeJob } from "../../src/app/pause.ts";
import { NotFoundError, ValidationError } from "../../src/errors.ts";
import type { Run } from "../../src/runs/model.ts";
import { scheduleNameFor } from "../../src/scheduler/schedules.ts";
import { applyEvent } from "../support/status-path.ts";
import {
  fakeLaunch,
  launchedRun,
  mocks,
  runDeps,
  runTaskEvents,
  scheduleOutput,
  sentAlerts,
  testJob,
  useRunMocks,
} from "./harness.ts";

useRunMocks();

const SCHEDULED = "schedule:\n  expression: cron(0 3 * * ? *)\n  timezone: Europe/Paris\n";
const pausing = (n: number, extra = "") =>
  testJob(`${SCHEDULED}policy:\n  pauseAfterFailures: ${n}\n${extra}`);

let serial = 0;
/** Runs one run of `report` to its end through the status handler: it fails unless `ok`. */
async function runOnce(deps: ReturnType<typeof runDeps>, ok = false, overrides: Partial<Run> = {}) {
  serial++;
  const run = launchedRun("report", {
    runId: `20260310T${String(serial).padStart(6, "0")}Z-0000abcd`,
    createdAt: new Date(Date.parse("2026-03-10T00:00:00Z") + serial * 60_000).toISOString(),
    ...overrides,
  });
  await deps.ledger.create(run);
  const events = runTaskEvents(run, serial, ok ? {} : { containers: [{ name: "app", exitCode: 1 }] });
  for (const e of [...events, ...events]) await applyEvent(deps, e);
  return (await deps.ledger.get(run.runId))!;
}

describe("pauseAfterFailures", () => {
  it("disables the schedule after N failed runs in a row, sending back every field, and alerts PAUSED once", async () => {
    const deps = runDeps([pausing(3)]);
    await runOnce(deps);
    await runOnce(deps);
    expect(mocks.scheduler).not.toHaveReceivedCommand(GetScheduleCommand);
    await runOnce(deps);

    expect(mocks.scheduler).toHaveReceivedCommandWith(GetScheduleCommand, {
      Name: "report",
      GroupName: "ecs-jobs",
    });
    expect(mocks.scheduler).toHaveReceivedCommandTimes(UpdateScheduleCommand, 1);
    const sent = mocks.scheduler.commandCalls(UpdateScheduleCommand)[0]?.args[0].input;
    const {
      Arn: _a,
      CreationDate: _c,
      LastModificationDate: _m,
      StartDate: _s,
      ...kept
    } = scheduleOutput("ENABLED");
    // The start date has passed (Scheduler would refuse it); everything else goes back as it was.
    expect(sent).toEqual({ ...kept, State: "DISABLED" });
    expect(sentAlerts().map((a) => a.detailType)).toEqual([
      "ECS Job Run FAILED",
      "ECS Job Run FAILED",
      "ECS Job Run FAILED",
      "ECS Job Run PAUSED",
    ]);
    expect(sentAlerts()[3]?.detail.summary).toMatch(
      /paused after 3 failed run\(s\) in a row; resume it with "ecs-jobs resume report"/,
    );
  });

  it("does not pause when a success breaks the streak, or when failures predate the schedule's last change", async () => {
    const deps = runDeps([pausing(2)]);
    await runOnce(deps);
    await runOnce(deps, true);
    const failed = await runOnce(deps);
    expect(mocks.scheduler).not.toHaveReceivedCommand(GetScheduleCommand);

    // Resumed after that failure: only the failure after it counts.
    const resumedAt = new Date(Date.parse(failed.createdAt) + 30_000);
    mocks.scheduler.on(GetScheduleCommand).resolves(scheduleOutput("ENABLED", resumedAt));
    await runOnce(deps);
    expect(mocks.scheduler).toHaveReceivedCommandTimes(GetScheduleCommand, 1);
    expect(mocks.scheduler).not.toHaveReceivedCommand(UpdateScheduleCommand);
  });

  it("counts a retried run once, by its last attempt", async () => {
    const launch = fakeLaunch();
    const deps = runDeps([pausing(2, "  retries:\n    attempts: 1\n    on: [exit:1]\n")], { launch });
    const first = await runOnce(deps);
    expect(launch.calls).toHaveLength(1);
    expect(mocks.scheduler).not.toHaveReceivedCommand(GetScheduleCommand);
    // The second attempt fails too: one failed run so far, not two.
    await runOnce(deps, false, {
      attempt: 2,
      lineageId: first.runId,
      trigger: { kind: "retry", id: first.runId },
    });
    expect(mocks.scheduler).not.toHaveReceivedCommand(UpdateScheduleCommand);
  });

  it("sends the PAUSED alert on the retried delivery when it failed after the schedule was disabled", async () => {
    const deps = runDeps([pausing(1)]);
    mocks.scheduler
      .on(GetScheduleCommand)
      .resolvesOnce(scheduleOutput("ENABLED"))
      .resolves(scheduleOutput("DISABLED", new Date("2026-03-10T12:00:00Z")));
    let pausedTries = 0;
    mocks.eventbridge.on(PutEventsCommand).callsFake((input: PutEventsCommandInput) => {
      if (input.Entries?.[0]?.DetailType === "ECS Job Run PAUSED" && pausedTries++ === 0)
        throw Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" });
      return { FailedEntryCount: 0, Entries: [{ EventId: "e" }] };
    });
    await expect(runOnce(deps)).rejects.toThrow(/Rate exceeded/);
    const run = [...deps.ledger.runs.values()][0]!;
    const last = runTaskEvents(run, serial, { containers: [{ name: "app", exitCode: 1 }] }).pop();
    await applyEvent(deps, last);
    await applyEvent(deps, last);
    expect(mocks.scheduler).toHaveReceivedCommandTimes(UpdateScheduleCommand, 1);
    expect(sentAlerts().map((a) => a.detailType)).toEqual([
      "ECS Job Run FAILED",
      "ECS Job Run PAUSED",
      "ECS Job Run PAUSED",
    ]);
    expect(pausedTries).toBe(2);
  });
});

describe("resumeJob", () => {
  it("enables a paused schedule with every other field unchanged", async () => {
    mocks.scheduler.on(GetScheduleCommand).resolves(scheduleOutput("DISABLED"));
    const deps = runDeps([pausing(3)]);
    expect(await resumeJob(deps, "report")).toEqual({ job: "report", state: "ENABLED", changed: true });
    const {
      Arn: _a,
      CreationDate: _c,
      LastModificationDate: _m,
      StartDate: _s,
      ...kept
    } = scheduleOutput("DISABLED");
    expect(mocks.scheduler).toHaveReceivedCommandWith(UpdateScheduleCommand, { ...kept, State: "ENABLED" });
    expect(scheduleNameFor("report")).toBe("report");
  });

  it("keeps a start date still to come", async () => {
    const future = { ...scheduleOutput("DISABLED"), StartDate: new Date("2026-06-01T00:00:00Z") };
    mocks.scheduler.on(GetScheduleCommand).resolves(future);
    await resumeJob(runDeps([pausing(3)]), "report");
    expect(mocks.scheduler).toHaveReceivedCommandWith(UpdateScheduleCommand, { StartDate: future.StartDate });
  });

  it("changes nothing when the schedule is enabled already", async () => {
    expect(await resumeJob(runDeps([pausing(3)]), "report")).toMatchObject({ changed: false });
    expect(mocks.scheduler).not.toHaveReceivedCommand(UpdateScheduleCommand);
  });

  it("names what is wrong: unknown job, no schedule, no schedule in the group", async () => {
    await expect(resumeJob(runDeps([pausing(3)]), "nope")).rejects.toThrow(NotFoundError);
    await expect(resumeJob(runDeps([testJob()]), "report")).rejects.toThrow(ValidationError);
    mocks.scheduler
      .on(GetScheduleCommand)
      .rejects(
        Object.assign(new Error("Schedule report does not exist."), { name: "ResourceNotFoundException" }),
      );
    await expect(resumeJob(runDeps([pausing(3)]), "report")).rejects.toThrow(
      /schedule report in group ecs-jobs not found/,
    );
  });
});
