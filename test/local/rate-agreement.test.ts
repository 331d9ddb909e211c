/**
 * rate() fire times are the same in every view (issue 20, item 12): `next`, `list`, GET /jobs and the local
 * scheduler (which the dashboard shows) count a rate schedule from the same anchor, as EventBridge Scheduler
 * does: its startDate if it has one, else when the schedule was created or last modified. The expected times
 * are written out by hand from the anchor.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startLocalScheduler } from "../../local/scheduler.ts";
import { handleHttp } from "../../src/http/router.ts";
import { testDeps } from "../launch/harness.ts";
import { cli } from "../support/cli.ts";
import { FARGATE_JOB, job } from "../support/spec.ts";

const NOW = new Date("2026-12-05T10:00:00Z");
/** When the stack created the schedule: 09:58:20. rate(7 minutes) fires at 10:05:20, 10:12:20, 10:19:20. */
const ANCHOR = new Date("2026-12-05T09:58:20Z");
const EXPECTED = ["2026-12-05T10:05:20+00:00", "2026-12-05T10:12:20+00:00", "2026-12-05T10:19:20+00:00"];
const SPEC = `schedule:\n  expression: rate(7 minutes)\n${FARGATE_JOB}`;

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A working folder with jobs/tick.yml and, when given, the local stack's stored schedule state. */
function project(stored?: { modified: Date }): string {
  const cwd = mkdtempSync(join(tmpdir(), "ecs-jobs-rate-"));
  dirs.push(cwd);
  mkdirSync(join(cwd, "jobs"));
  writeFileSync(join(cwd, "jobs", "tick.yml"), SPEC);
  if (stored) {
    mkdirSync(join(cwd, ".ecs-jobs"));
    const s = Math.floor(stored.modified.getTime() / 1000);
    const state = { state: "ENABLED", created: s, modified: s, expression: "rate(7 minutes)" };
    writeFileSync(
      join(cwd, ".ecs-jobs", "schedules.json"),
      JSON.stringify({ version: 2, schedules: { tick: state } }),
    );
  }
  return cwd;
}

const iso = (d: Date) => d.toISOString().replace(".000Z", "+00:00");

/** The next `count` fire times of tick as the local scheduler will fire them, its schedule made at ANCHOR. */
function schedulerTimes(spec: string, count: number): string[] {
  const s = startLocalScheduler({
    jobs: [job(spec, "tick")],
    now: () => NOW,
    isEnabled: () => true,
    anchor: () => ANCHOR,
    fire: () => {},
    sweep: () => {},
    log: { info: () => {}, warn: () => {} },
  });
  try {
    return s.upcoming("tick", count).map(iso);
  } finally {
    s.stop();
  }
}

describe("rate() fire times from one anchor", () => {
  it("the local scheduler counts from the schedule's modification time", () => {
    expect(schedulerTimes(SPEC, 3)).toEqual(EXPECTED);
  });

  it("`next` shows the same times, reading the stack's stored anchor", async () => {
    const r = await cli(["next", "tick", "-n", "3"], { cwd: project({ modified: ANCHOR }), now: NOW });
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(EXPECTED.map((t) => `${t}\n`).join(""));
  });

  it("`list` shows the same next time", async () => {
    const r = await cli(["list", "--json"], { cwd: project({ modified: ANCHOR }), now: NOW });
    expect((JSON.parse(r.stdout) as { nextFireTimes: string[] }[])[0]?.nextFireTimes).toEqual([EXPECTED[0]]);
  });

  it("GET /jobs and GET /jobs/{name} show the same times, from the deps' anchor", async () => {
    const deps = { ...testDeps([job(SPEC, "tick")], NOW), scheduleAnchor: () => ANCHOR };
    const req = (path: string) => ({
      method: "GET",
      path,
      query: {},
      headers: {},
      body: undefined,
      requestId: "r",
      principal: "arn:aws:iam::111122223333:user/alice",
      time: NOW.getTime(),
    });
    const list = JSON.parse((await handleHttp(deps, req("/jobs"))).body) as {
      jobs: { nextFireTimes: string[] }[];
    };
    expect(list.jobs[0]?.nextFireTimes).toEqual([EXPECTED[0]]);
    const one = JSON.parse((await handleHttp(deps, req("/jobs/tick"))).body) as { nextFireTimes: string[] };
    expect(one.nextFireTimes.slice(0, 3)).toEqual(EXPECTED);
  });

  it("with no stored anchor, `next` counts as if the schedule were created at --from", async () => {
    const r = await cli(["next", "tick", "-n", "2", "--from", "2026-12-05T10:00:30Z"], { cwd: project() });
    expect(r.stdout).toBe("2026-12-05T10:07:30+00:00\n2026-12-05T10:14:30+00:00\n");
  });

  it("a startDate wins over the stored anchor, in every view", async () => {
    const spec = `schedule:\n  expression: rate(7 minutes)\n  startDate: 2026-12-05T09:00:00Z\n${FARGATE_JOB}`;
    const cwd = project({ modified: ANCHOR });
    writeFileSync(join(cwd, "jobs", "tick.yml"), spec);
    // 09:00 + 9 × 7 min = 10:03, then 10:10.
    const r = await cli(["next", "tick", "-n", "2"], { cwd, now: NOW });
    expect(r.stdout).toBe("2026-12-05T10:03:00+00:00\n2026-12-05T10:10:00+00:00\n");
    expect(schedulerTimes(spec, 2)).toEqual(["2026-12-05T10:03:00+00:00", "2026-12-05T10:10:00+00:00"]);
  });
});
