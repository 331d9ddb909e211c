/**
 * Rate schedules in AWS count from their schedule's creation or last modification (issue 20, item 12):
 * `upcoming` with a deployed schedule, and what deployedSchedules asks Scheduler. Expected times are worked
 * by hand in the comments.
 */
import {
  GetScheduleCommand,
  type GetScheduleCommandOutput,
  ListSchedulesCommand,
  type ListSchedulesCommandOutput,
} from "@aws-sdk/client-scheduler";
import { describe, expect, it } from "vitest";
import type { Deps } from "../../src/app/deps.ts";
import { upcoming } from "../../src/catalog/summary.ts";
import { deployedSchedules } from "../../src/scheduler/deployed-schedules.ts";
import { FARGATE_JOB, job } from "../support/spec.ts";

const rateJob = (name: string, extra = "") =>
  job(`schedule:\n  expression: rate(7 minutes)\n${extra}${FARGATE_JOB}`, name);
const cronJob = (name: string) => job(`schedule:\n  expression: cron(0 3 * * ? *)\n${FARGATE_JOB}`, name);
const iso = (ds: Date[]) => ds.map((d) => d.toISOString());

const MODIFIED = new Date("2026-03-01T10:02:13.250Z");
const FROM = new Date("2026-03-01T11:00:00Z");

describe("upcoming with the schedule as deployed", () => {
  it("counts a rate without StartDate from the schedule's last modification", () => {
    // 11:00:00 is 57 min 46.75 s after 10:02:13.25: 8 steps of 7 min (56 min) are behind it, the 9th is
    // 10:02:13.25 + 63 min = 11:05:13.25.
    expect(iso(upcoming(rateJob("r"), FROM, 3, { modifiedAt: MODIFIED }))).toEqual([
      "2026-03-01T11:05:13.250Z",
      "2026-03-01T11:12:13.250Z",
      "2026-03-01T11:19:13.250Z",
    ]);
  });

  it("ignores a spec startDate the deployment left out (it was past), as Scheduler does", () => {
    const j = rateJob("r", "  startDate: 2026-01-01T00:00:00Z\n");
    // From the spec's startDate it would be 11:04:00 (85,620 min since Jan 1 00:00; 12,232 × 7 = 85,624).
    expect(iso(upcoming(j, FROM, 1))).toEqual(["2026-03-01T11:04:00.000Z"]);
    expect(iso(upcoming(j, FROM, 1, { modifiedAt: MODIFIED }))).toEqual(["2026-03-01T11:05:13.250Z"]);
  });

  it("counts from the deployed StartDate when the schedule has one", () => {
    const j = rateJob("r", "  startDate: 2026-03-01T12:00:00Z\n");
    const start = new Date("2026-03-01T12:00:00Z");
    expect(iso(upcoming(j, FROM, 3, { modifiedAt: MODIFIED, startDate: start }))).toEqual([
      "2026-03-01T12:00:00.000Z",
      "2026-03-01T12:07:00.000Z",
      "2026-03-01T12:14:00.000Z",
    ]);
  });

  it("without one, counts from the request time, as before (nothing known)", () => {
    expect(iso(upcoming(rateJob("r"), FROM, 1))).toEqual(["2026-03-01T11:07:00.000Z"]);
  });
});

/** Deps whose Scheduler answers from these schedules, recording each call. */
function schedulerDeps(
  schedules: Record<string, { LastModificationDate: Date; StartDate?: Date }>,
  pageSize = 2,
) {
  const calls: string[] = [];
  const names = Object.keys(schedules);
  const send = async (command: unknown) => {
    if (command instanceof ListSchedulesCommand) {
      const start = Number(command.input.NextToken ?? 0);
      calls.push(`ListSchedules ${command.input.GroupName} ${start}`);
      const page = names.slice(start, start + pageSize);
      return {
        Schedules: page.map((Name) => ({
          Name,
          CreationDate: new Date("2026-01-01T00:00:00Z"),
          LastModificationDate: schedules[Name]?.LastModificationDate,
        })),
        ...(start + pageSize < names.length && { NextToken: String(start + pageSize) }),
      } as ListSchedulesCommandOutput;
    }
    if (command instanceof GetScheduleCommand) {
      const name = command.input.Name as string;
      calls.push(`GetSchedule ${command.input.GroupName} ${name}`);
      const s = schedules[name];
      if (!s) throw Object.assign(new Error("not found"), { name: "ResourceNotFoundException" });
      return { Name: name, ...s } as GetScheduleCommandOutput;
    }
    throw new Error(`unexpected ${String(command)}`);
  };
  const deps = {
    clients: { scheduler: { send } },
    config: { scheduleGroup: "ecs-jobs-prod" },
  } as unknown as Pick<Deps, "clients" | "config">;
  return { deps, calls };
}

describe("deployedSchedules", () => {
  const d1 = new Date("2026-02-01T08:00:00.500Z");
  const d2 = new Date("2026-02-02T09:30:00Z");
  const d3 = new Date("2026-02-03T10:45:00Z");

  it("walks every page of the stack's group once, for the rate jobs only", async () => {
    const { deps, calls } = schedulerDeps({
      a: { LastModificationDate: d1 },
      nightly: { LastModificationDate: d2 },
      b: { LastModificationDate: d3 },
    });
    const got = await deployedSchedules(deps, [rateJob("a"), cronJob("nightly"), rateJob("b")]);
    expect(calls).toEqual(["ListSchedules ecs-jobs-prod 0", "ListSchedules ecs-jobs-prod 2"]);
    expect(Object.fromEntries(got)).toEqual({ a: { modifiedAt: d1 }, b: { modifiedAt: d3 } });
  });

  it("asks GetSchedule for the StartDate of a job whose spec has one, and takes the schedule's", async () => {
    const start = new Date("2026-04-01T00:00:00Z");
    const { deps, calls } = schedulerDeps({
      a: { LastModificationDate: d1 },
      s: { LastModificationDate: d2, StartDate: start },
      dropped: { LastModificationDate: d3 },
    });
    const got = await deployedSchedules(deps, [
      rateJob("a"),
      rateJob("s", "  startDate: 2026-04-01T00:00:00Z\n"),
      rateJob("dropped", "  startDate: 2026-01-01T00:00:00Z\n"),
    ]);
    expect(calls.filter((c) => c.startsWith("GetSchedule")).sort()).toEqual([
      "GetSchedule ecs-jobs-prod dropped",
      "GetSchedule ecs-jobs-prod s",
    ]);
    expect(Object.fromEntries(got)).toEqual({
      a: { modifiedAt: d1 },
      s: { modifiedAt: d2, startDate: start },
      dropped: { modifiedAt: d3 },
    });
  });

  it("asks one job's schedule with GetSchedule alone, and nothing for a job not deployed", async () => {
    const { deps, calls } = schedulerDeps({ a: { LastModificationDate: d1 } });
    expect(Object.fromEntries(await deployedSchedules(deps, [rateJob("a")]))).toEqual({
      a: { modifiedAt: d1 },
    });
    expect(Object.fromEntries(await deployedSchedules(deps, [rateJob("gone")]))).toEqual({});
    expect(calls).toEqual(["GetSchedule ecs-jobs-prod a", "GetSchedule ecs-jobs-prod gone"]);
  });

  it("makes no call when no job has a rate schedule", async () => {
    const { deps, calls } = schedulerDeps({});
    expect((await deployedSchedules(deps, [cronJob("nightly")])).size).toBe(0);
    expect(calls).toEqual([]);
  });
});
