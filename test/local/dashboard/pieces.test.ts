/**
 * The dashboard's parts without a browser: the run strip and duration chart, a task's timeline, the Run now
 * form built from the job's allowlist, the job card's actions by state, and the run page.
 */
import { describe, expect, it } from "vitest";
import { durationChart, runStrip } from "../../../local/dashboard/charts.ts";
import { overrideFields, runNowForm } from "../../../local/dashboard/overrides-form.ts";
import { renderOverviewMain } from "../../../local/dashboard/overview.ts";
import { renderRunMain } from "../../../local/dashboard/run-page.ts";
import { taskPhases } from "../../../local/dashboard/timeline.ts";
import type { DashboardData, DashboardJob } from "../../../local/http/dashboard.ts";
import type { Run, TaskState } from "../../../src/runs/model.ts";
import { runFixture } from "../../support/events.ts";

const NOW = new Date("2026-03-10T12:00:00Z");
const EVIL = `<img src=x onerror="alert(1)">`;

/** A run created at 11:mm:00 that ran from :10 to :10 + seconds. */
const ran = (n: number, status: Run["status"], seconds: number): Run =>
  runFixture({
    runId: `20260310T11${String(n).padStart(2, "0")}00Z-0000000${n}`,
    job: "report",
    status,
    createdAt: `2026-03-10T11:${String(n).padStart(2, "0")}:00.000Z`,
    startedAt: `2026-03-10T11:${String(n).padStart(2, "0")}:10.000Z`,
    stoppedAt: new Date(
      Date.parse(`2026-03-10T11:${String(n).padStart(2, "0")}:10.000Z`) + seconds * 1000,
    ).toISOString(),
  });

describe("the run strip", () => {
  // Newest first, as the ledger lists them.
  const runs = [ran(3, "CANCELLED", 5), ran(2, "FAILED", 20), ran(1, "SUCCEEDED", 10)];

  it("draws the runs oldest first, each a link to its page, marked and labelled by status", () => {
    const html = runStrip(runs, NOW);
    const statuses = [...html.matchAll(/data-status="(\w+)"/g)].map((m) => m[1]);
    expect(statuses).toEqual(["SUCCEEDED", "FAILED", "CANCELLED"]);
    expect(html).toContain('href="/dashboard/runs/20260310T110100Z-00000001"');
    // Not colour alone: a mark and words for each.
    expect(html).toContain(
      '<span aria-hidden="true">✗</span><span class="sr">FAILED · 2026-03-10 11:02:00Z · 20.0 s</span>',
    );
    expect(html).toContain('class="cell s-muted"');
  });

  it("scales the duration bars to the longest run", () => {
    const heights = [...durationChart(runs, NOW).matchAll(/<rect [^>]*height="(\d+)"/g)].map((m) =>
      Number(m[1]),
    );
    // 48 px high, 4 px headroom: 44 px for 20 s.
    expect(heights).toEqual([22, 44, 11]);
  });

  it("says so when a job has no runs", () => {
    expect(runStrip([], NOW)).toContain("No runs yet.");
    expect(durationChart([], NOW)).toBe("");
  });
});

const task = (t: Partial<TaskState>): TaskState => ({
  taskArn: "arn:aws:ecs:eu-west-1:111122223333:task/c/abc123",
  lastStatus: "STOPPED",
  containers: [],
  ...t,
});

describe("a task's timeline", () => {
  const run = runFixture({ createdAt: "2026-03-10T11:00:00.000Z" });

  it("goes PROVISIONING → PENDING → RUNNING → STOPPED from the recorded instants", () => {
    const phases = taskPhases(
      run,
      task({
        started: true,
        billing: { pullStartedAt: "2026-03-10T11:00:02.000Z" },
        startedAt: "2026-03-10T11:00:05.000Z",
        stoppedAt: "2026-03-10T11:01:05.000Z",
      }),
    );
    expect(phases).toEqual([
      { phase: "PROVISIONING", from: "2026-03-10T11:00:00.000Z", to: "2026-03-10T11:00:02.000Z" },
      { phase: "PENDING", from: "2026-03-10T11:00:02.000Z", to: "2026-03-10T11:00:05.000Z" },
      { phase: "RUNNING", from: "2026-03-10T11:00:05.000Z", to: "2026-03-10T11:01:05.000Z" },
      { phase: "STOPPED", from: "2026-03-10T11:01:05.000Z" },
    ]);
  });

  it("has no RUNNING for a task that failed to start", () => {
    const phases = taskPhases(
      run,
      task({
        stopCode: "TaskFailedToStart",
        billing: { pullStartedAt: "2026-03-10T11:00:02.000Z" },
        stoppedAt: "2026-03-10T11:00:09.000Z",
      }),
    );
    expect(phases.map((p) => p.phase)).toEqual(["PROVISIONING", "PENDING", "STOPPED"]);
  });

  it("leaves the current phase open while the task is on its way", () => {
    const phases = taskPhases(
      run,
      task({ lastStatus: "PENDING", billing: { pullStartedAt: "2026-03-10T11:00:02.000Z" } }),
    );
    expect(phases.at(-1)).toEqual({ phase: "PENDING", from: "2026-03-10T11:00:02.000Z" });
  });
});

describe("the Run now form", () => {
  it("has one field per allowlist entry, shaped as the API body wants it", () => {
    expect(
      overrideFields(["count", "cpu", "command", "app.environment.REPORT_DATE", "sidecar.environment.*"]),
    ).toEqual([
      { entry: "count", kind: "count" },
      { entry: "cpu", kind: "cpu" },
      { entry: "command", kind: "command" },
      { entry: "app.environment.REPORT_DATE", kind: "env", container: "app", name: "REPORT_DATE" },
      { entry: "sidecar.environment.*", kind: "env-any", container: "sidecar" },
    ]);
    const html = runNowForm("report", { allowOverrides: ["environment.REPORT_DATE"] });
    expect(html).toContain('<label for="ov-report-0">environment.REPORT_DATE');
    expect(html).toContain('data-kind="env" data-name="REPORT_DATE"');
  });

  it("bounds the count field as the API does (1..10,000 tasks)", () => {
    const html = runNowForm("report", { allowOverrides: ["count"] });
    expect(html).toContain('type="number" min="1" max="10000"');
    expect(html).toContain("tasks, 1..10000");
  });

  it("is a plain button without overrides, and absent for a job without http (the API answers 403)", () => {
    const plain = runNowForm("report", { allowOverrides: [] });
    expect(plain).not.toContain("<details>");
    expect(plain).toContain(">Run now</button>");
    const off = runNowForm("report", undefined);
    expect(off).not.toContain("<form");
    expect(off).toContain("no <code>http</code> section");
  });
});

const job = (j: Partial<DashboardJob>): DashboardJob => ({
  name: "report",
  triggers: ["schedule"],
  nextFireTimes: ["2026-03-11T04:00:00+01:00"],
  target: "FARGATE c/app x1",
  local: "succeed, 2 s",
  ...j,
});
const data = (jobs: DashboardJob[], runs: Run[] = []): DashboardData => ({
  jobs,
  runs,
  alerts: [],
  now: NOW,
  ecsUrl: "",
});
const schedule = (state: "ENABLED" | "PAUSED" | "DISABLED") => ({
  expression: "cron(0 3 * * ? *)",
  timezone: "Europe/Paris",
  state,
});

describe("a job's card", () => {
  it("offers Pause on an enabled schedule, Resume on a paused one, neither on a disabled one", () => {
    expect(renderOverviewMain(data([job({ schedule: schedule("ENABLED") })]))).toContain(
      'data-action="pause"',
    );
    const paused = renderOverviewMain(data([job({ schedule: schedule("PAUSED"), nextFireTimes: [] })]));
    expect(paused).toContain('data-action="resume"');
    expect(paused).toContain("<dt>Next fire</dt><dd>none (paused)</dd>");
    const disabled = renderOverviewMain(data([job({ schedule: schedule("DISABLED"), nextFireTimes: [] })]));
    expect(disabled).not.toMatch(/data-action="(pause|resume)"/);
  });

  it("shows the last result and a Stop button for each run in flight", () => {
    const running = runFixture({
      runId: "20260310T115900Z-0000000a",
      job: "report",
      status: "RUNNING",
      createdAt: "2026-03-10T11:59:00.000Z",
    });
    const html = renderOverviewMain(data([job({ recentRuns: [running, ran(1, "FAILED", 3)] })]));
    expect(html).toContain('data-action="stop" data-run="20260310T115900Z-0000000a"');
    expect(html).toMatch(/<dt>Last result<\/dt><dd><span class="tag s-running">RUNNING<\/span>/);
  });

  it("escapes what a spec or a run brings", () => {
    const html = renderOverviewMain(data([job({ description: EVIL, target: EVIL })]));
    expect(html).not.toContain(EVIL);
  });
});

describe("a run's page", () => {
  const failed = runFixture({
    runId: "20260310T110000Z-0000000f",
    status: "FAILED",
    createdAt: "2026-03-10T11:00:00.000Z",
    stoppedAt: "2026-03-10T11:00:30.000Z",
    hint: `Container "app" exited with code 3 ${EVIL}`,
    cost: {
      vcpuSeconds: 60,
      gbSeconds: 120,
      usd: 0.0012,
      pricing: { source: "estimate", region: "eu-west-1", asOf: "2025-01" },
    },
    tasks: [
      task({
        started: true,
        stopCode: "EssentialContainerExited",
        stoppedReason: EVIL,
        billing: { pullStartedAt: "2026-03-10T11:00:02.000Z" },
        startedAt: "2026-03-10T11:00:05.000Z",
        stoppedAt: "2026-03-10T11:00:30.000Z",
        containers: [{ name: "app", exitCode: 3 }],
      }),
    ],
  });

  it("shows exit codes, stop code, hint, cost marked as an estimate, the timeline and where its logs come from", () => {
    const html = renderRunMain(failed, NOW);
    expect(html).toContain('<td class="num"><b>3</b></td>');
    expect(html).toContain("<b>Stop:</b> EssentialContainerExited");
    expect(html).toContain("<b>Hint:</b> Container &quot;app&quot; exited with code 3");
    expect(html).toContain("~$0.0012 estimated (60 vCPU-s, 120 GB-s; eu-west-1 prices of 2025-01)");
    expect([...html.matchAll(/<span class="phase p-\w+">(\w+)<\/span> 2026/g)].map((m) => m[1])).toEqual([
      "PROVISIONING",
      "PENDING",
      "RUNNING",
      "STOPPED",
    ]);
    expect(html).toContain('data-src="/runs/20260310T110000Z-0000000f/logs?limit=500"');
    expect(html).not.toContain(EVIL);
    // Final: nothing to stop.
    expect(html).not.toContain('data-action="stop"');
  });

  it("offers Stop while the run is in flight", () => {
    const { stoppedAt: _, ...inFlight } = failed;
    const html = renderRunMain({ ...inFlight, status: "RUNNING" }, NOW);
    expect(html).toContain('data-action="stop" data-run="20260310T110000Z-0000000f"');
  });
});
