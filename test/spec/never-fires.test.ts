/**
 * Schedules that can never fire again (issue 20, item 11). Whether a time is past depends on when the check
 * runs, and the spec domain reads no clock: the caller passes `now` (the CLI its clock), and these tests pin it.
 */
import { describe, expect, it } from "vitest";
import { formatSpecIssue } from "../../src/errors.ts";
import { parseJobs } from "../../src/jobspec/parse.ts";
import { cli, jobsFolder } from "../support/cli.ts";
import { FARGATE_JOB, files } from "../support/spec.ts";

const NOW = new Date("2026-12-05T06:00:00Z");
const spec = (expression: string, timezone = "UTC") =>
  `schedule:\n  expression: "${expression}"\n  timezone: ${timezone}\n${FARGATE_JOB}`;
/** `now: null` = no time given. */
const check = (expression: string, now: Date | null = NOW, timezone = "UTC") => {
  const r = parseJobs(files({ report: spec(expression, timezone) }), undefined, now ? { now } : {});
  return {
    jobs: r.jobs.map((j) => j.name),
    issues: r.issues.map(formatSpecIssue),
    warnings: (r.warnings ?? []).map(formatSpecIssue),
  };
};

describe("a schedule with no fire time after now", () => {
  it("a cron whose years are all past is an error at schedule.expression", () => {
    expect(check("cron(0 0 1 1 ? 1999)")).toEqual({
      jobs: [],
      issues: [
        "jobs/report.yml:2:3 schedule.expression: cron(0 0 1 1 ? 1999) never fires after 2026-12-05T06:00:00Z (its last year is 1999)",
      ],
      warnings: [],
    });
  });

  it("a cron whose only times fall in a daylight-saving gap is an error too", () => {
    expect(check("cron(30 2 ? 3 1L *)", NOW, "Europe/Paris").issues).toEqual([
      "jobs/report.yml:2:3 schedule.expression: cron(30 2 ? 3 1L *) never fires after 2026-12-05T06:00:00Z",
    ]);
  });

  it("a cron with a year still to come is valid", () => {
    expect(check("cron(0 0 1 1 ? 2020-2027)")).toEqual({ jobs: ["report"], issues: [], warnings: [] });
  });

  it("at() in the past is a warning, not an error: the job stays valid", () => {
    expect(check("at(2020-01-01T00:00:00)")).toEqual({
      jobs: ["report"],
      issues: [],
      warnings: [
        "jobs/report.yml:2:3 schedule.expression: at(2020-01-01T00:00:00) is in the past (UTC); EventBridge Scheduler accepts it and never fires it",
      ],
    });
  });

  it("at() in the job's zone: still to come in Tokyo terms is not past", () => {
    // 2026-12-05T14:30 in Tokyo is 05:30Z: past at NOW. 16:00 in Tokyo is 07:00Z: to come.
    expect(check("at(2026-12-05T14:30:00)", NOW, "Asia/Tokyo").warnings).toHaveLength(1);
    expect(check("at(2026-12-05T16:00:00)", NOW, "Asia/Tokyo").warnings).toEqual([]);
  });

  it("without a `now`, nothing depends on time: the check is the caller's choice", () => {
    expect(check("cron(0 0 1 1 ? 1999)", null)).toEqual({ jobs: ["report"], issues: [], warnings: [] });
  });
});

describe("ecs-jobs validate and schedules that never fire", () => {
  it("exits 1 on a cron that is over, 0 with a warning on a past at()", async () => {
    const over = jobsFolder({ "a.yml": spec("cron(0 0 1 1 ? 1999)") });
    const r1 = await cli(["validate", "--jobs", over], { cwd: over, now: NOW });
    expect(r1.code).toBe(1);
    expect(r1.stderr).toContain(
      "a.yml:2:3 schedule.expression: cron(0 0 1 1 ? 1999) never fires after 2026-12-05T06:00:00Z (its last year is 1999)\n",
    );

    const once = jobsFolder({ "b.yml": spec("at(2026-12-01T09:00:00)") });
    const r2 = await cli(["validate", "--jobs", once], { cwd: once, now: NOW });
    expect(r2.code).toBe(0);
    expect(r2.stderr).toBe(
      "b.yml:2:3 schedule.expression: warning: at(2026-12-01T09:00:00) is in the past (UTC); EventBridge Scheduler accepts it and never fires it\n",
    );
    const r3 = await cli(["validate", "--jobs", once, "--json"], { cwd: once, now: NOW });
    expect(r3.code).toBe(0);
    expect(JSON.parse(r3.stdout)).toMatchObject({
      valid: true,
      jobs: ["b"],
      warnings: [{ file: "b.yml", line: 2, column: 3, path: "schedule.expression" }],
    });
    // The same file a week earlier: no warning.
    const r4 = await cli(["validate", "--jobs", once], { cwd: once, now: new Date("2026-11-28T00:00:00Z") });
    expect(r4.stderr).toBe("");
  });
});
