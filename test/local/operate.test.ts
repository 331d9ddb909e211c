import { describe, expect, it } from "vitest";
import type { LocalAlert } from "../../local/aws/alerts.ts";
import type { Run } from "../../src/runs/model.ts";
import { cli } from "../support/cli.ts";
import { fargate, poll, startRun, waitForRun } from "./support/stack.ts";
import { stackForSuite } from "./support/suite-stack.ts";

const ALERT_ALL = "alerts: { on: [FAILED, TIMED_OUT, MISSED, PAUSED, RECOVERED] }";
const JOBS = {
  // Retried on what a stop looks like to ECS: a stop must still not retry it.
  long: fargate(
    `http: true\n${ALERT_ALL}\npolicy: { retries: { attempts: 2, on: [UserInitiated, "exit:137"] }, pauseAfterFailures: 1 }`,
    "{ outcome: succeed, durationSeconds: 600 }",
  ),
  quick: fargate("http: true", "{ outcome: succeed, durationSeconds: 0.1 }"),
  swap: fargate(
    `http: true\n${ALERT_ALL}\npolicy: { concurrency: replace }`,
    "{ outcome: succeed, durationSeconds: 600 }",
  ),
  nightly: fargate('schedule: { expression: "cron(0 3 * * ? *)" }', "{ outcome: succeed }"),
  off: fargate('schedule: { expression: "cron(0 3 * * ? *)", enabled: false }', "{ outcome: succeed }"),
};

interface JobView {
  name: string;
  state: string;
  nextFireTimes: string[];
}

describe("operating jobs on the local stack", () => {
  const { project, api: a, stack } = stackForSuite(JOBS, { schedulerPollMs: 25, retryDelaysMs: [50, 100] });

  const alertsOfJob = async (job: string) =>
    (await a.get<{ alerts: LocalAlert[] }>("/alerts")).body.alerts.filter((x) => x.job === job);
  const allStopped = (run: Run) => run.tasks.length > 0 && run.tasks.every((t) => t.lastStatus === "STOPPED");

  it("POST /runs/{runId}/stop: the run ends CANCELLED, its tasks stop, no alert, no retry; then 409", async () => {
    const runId = await startRun(a, "long");
    await waitForRun(a, runId, (r) => r.status === "RUNNING");
    const res = await a.post<Run>(`/runs/${runId}/stop`, { reason: "deploy in progress" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ runId, status: "CANCELLED" });
    expect(res.body.hint).toContain("deploy in progress");
    const run = await waitForRun(a, runId, allStopped);
    expect(run.status).toBe("CANCELLED");
    expect(run.tasks[0]).toMatchObject({ stopCode: "UserInitiated" });
    await stack().idle();
    expect(await alertsOfJob("long")).toEqual([]);
    const { body: history } = await a.get<{ runs: Run[] }>("/jobs/long/runs");
    expect(history.runs.map((r) => r.runId)).toEqual([runId]);

    const again = await a.post<{ error: { code: string; message: string } }>(`/runs/${runId}/stop`);
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain("already CANCELLED");
  });

  it("stop answers 404 for an unknown run and 400 for a bad body, naming the field", async () => {
    const missing = await a.post<{ error: { message: string } }>("/runs/20260101T000000Z-00000000/stop");
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toContain("20260101T000000Z-00000000");
    const runId = await startRun(a, "quick");
    const bad = await a.post<{ error: { field: string } }>(`/runs/${runId}/stop`, { reason: 42 });
    expect(bad).toMatchObject({ status: 400, body: { error: { field: "reason" } } });
    const extra = await a.post<{ error: { field: string } }>(`/runs/${runId}/stop`, { force: true });
    expect(extra).toMatchObject({ status: 400, body: { error: { field: "force" } } });
  });

  it("`ecs-jobs stop RUN` cancels a run; a run already final is refused with exit 1", async () => {
    const runId = await startRun(a, "long");
    const r = await cli(["stop", runId, "--reason", "wrong input"], { cwd: project.dir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`stopped run ${runId}`);
    const run = await waitForRun(a, runId, allStopped);
    expect(run).toMatchObject({ status: "CANCELLED" });
    expect(run.hint).toContain("wrong input");
    const done = await waitForRun(a, await startRun(a, "quick"));
    const refused = await cli(["stop", done.runId], { cwd: project.dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`run ${done.runId} is already SUCCEEDED`);
    await stack().idle();
    expect(await alertsOfJob("long")).toEqual([]);
  });

  it("concurrency replace: 20 simultaneous triggers leave one run RUNNING, the others CANCELLED by a successor", async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, () => a.post<Run>("/jobs/swap/runs")));
    // Any other answer shown whole: a 503 names the timeout, a 500 would be a bug to read.
    expect(answers.filter((res) => res.status !== 202)).toEqual([]);
    const ids = answers.map((res) => res.body.runId);
    // Settled: every run but one is CANCELLED with its tasks stopped, and that one is RUNNING.
    const runs = await poll(
      () => Promise.all(ids.map(async (id) => (await a.get<Run>(`/runs/${id}`)).body)),
      (rs) =>
        rs.filter((r) => r.status === "CANCELLED" && (r.tasks.length === 0 || allStopped(r))).length === 19 &&
        rs.some((r) => r.status === "RUNNING"),
      { what: "19 runs CANCELLED and one RUNNING" },
    );
    const survivor = runs.find((r) => r.status === "RUNNING") as Run;
    const cancelled = runs.filter((r) => r.status === "CANCELLED");
    for (const r of cancelled) expect(ids).toContain(r.cancelledBy);
    // Each cancelled run was cancelled by a different run: a chain ending at the survivor.
    expect(new Set(cancelled.map((r) => r.cancelledBy)).size).toBe(19);
    expect(cancelled.map((r) => r.runId)).not.toContain(survivor.runId);
    await stack().idle();
    const kinds = (await alertsOfJob("swap")).map((x) => x.kind);
    expect(kinds).not.toContain("FAILED");
    expect(kinds).not.toContain("RECOVERED");
    await a.post(`/runs/${survivor.runId}/stop`);
  });

  it("pause and resume (CLI and HTTP): state PAUSED with no next fire times, idempotent", async () => {
    const job = async (name: string) => (await a.get<JobView>(`/jobs/${name}`)).body;
    expect(await job("nightly")).toMatchObject({ state: "ENABLED" });
    expect((await job("nightly")).nextFireTimes.length).toBeGreaterThan(0);

    const paused = await cli(["pause", "nightly"], { cwd: project.dir });
    expect(paused).toMatchObject({ code: 0, stderr: "" });
    expect(await job("nightly")).toMatchObject({ state: "PAUSED", nextFireTimes: [] });
    const list = (await a.get<{ jobs: JobView[] }>("/jobs")).body.jobs;
    expect(list.find((j) => j.name === "nightly")).toMatchObject({ state: "PAUSED", nextFireTimes: [] });
    expect(list.find((j) => j.name === "off")).toMatchObject({ state: "DISABLED", nextFireTimes: [] });
    expect(list.find((j) => j.name === "quick")).toMatchObject({ state: "ENABLED" });

    const again = await a.post<{ state: string; changed: boolean }>("/jobs/nightly/pause");
    expect(again).toMatchObject({ status: 200, body: { state: "PAUSED", changed: false } });
    const listed = await cli(["list", "--json"], { cwd: project.dir });
    expect(JSON.parse(listed.stdout).find((j: JobView) => j.name === "nightly")).toMatchObject({
      state: "PAUSED",
      nextFireTimes: [],
    });

    const resumed = await a.post<{ state: string; changed: boolean }>("/jobs/nightly/resume");
    expect(resumed).toMatchObject({ status: 200, body: { state: "ENABLED", changed: true } });
    expect(await job("nightly")).toMatchObject({ state: "ENABLED" });
    const noSchedule = await a.post<{ error: { field: string } }>("/jobs/quick/pause");
    expect(noSchedule.status).toBe(400);
  });

  it("--data-dir finds the stack from another folder; without it the error says how to find the stack", async () => {
    const elsewhere = { cwd: project.jobsDir };
    const jobs = ["--jobs", project.jobsDir];
    const lost = await cli(["runs", ...jobs], elsewhere);
    expect(lost.code).toBe(1);
    expect(lost.stderr).toContain("--data-dir");
    for (const argv of [
      ["runs", "--json"],
      ["pause", "nightly"],
      ["resume", "nightly"],
    ]) {
      const r = await cli([...argv, ...jobs, "--data-dir", project.dataDir], elsewhere);
      expect({ argv, code: r.code, stderr: r.stderr }).toEqual({ argv, code: 0, stderr: "" });
    }
    const runId = await startRun(a, "long");
    const stopped = await cli(["stop", runId, ...jobs, "--data-dir", project.dataDir], elsewhere);
    expect(stopped.code).toBe(0);
    const logs = await cli(["logs", runId, ...jobs, "--data-dir", project.dataDir], elsewhere);
    expect(logs.code).toBe(0);
  });
});
