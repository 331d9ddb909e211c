/**
 * The embedded local stack end to end (SPEC section 5), driven only through its public faces: the HTTP API
 * (fetch), the CLI (in-process, test/support/cli.ts) and AWS SDK clients pointed at the ECS emulator. The test hooks of
 * the stack object (fireSchedule, an injected clock) stand in for waiting on real time.
 */
import { rmSync } from "node:fs";
import {
  ClusterNotFoundException,
  DescribeClustersCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalAlert } from "../../local/aws/alerts.ts";
import { createOffsetClock } from "../../local/offset-clock.ts";
import { type LocalStack, startLocalStack } from "../../local/stack.ts";
import type { Run } from "../../src/runs/model.ts";
import { cli } from "../support/cli.ts";
import {
  type Api,
  api,
  FAST_PHASES,
  fargate,
  openDashboard,
  poll,
  startRun,
  tempProject,
  waitForRun,
} from "./support/stack.ts";

const JOBS = {
  tick: fargate('schedule: { expression: "rate(1 minute)" }', "{ outcome: succeed, durationSeconds: 0.1 }"),
  hello: fargate("http: true", "{ outcome: succeed, durationSeconds: 0.2 }"),
  broken: fargate("http: true", "{ outcome: failToStart:CannotPullContainerError }"),
  exit3: fargate(
    "http: true\nalerts: { snsTopicArn: arn:aws:sns:eu-west-1:111122223333:ops }",
    "{ outcome: exit:3, durationSeconds: 0.1 }",
  ),
  flaky: fargate(
    'schedule: { expression: "cron(0 0 1 1 ? 2099)" }\npolicy: { pauseAfterFailures: 1 }',
    "{ outcome: failToStart:CannotPullContainerError }",
  ),
  solo: fargate("http: true\npolicy: { concurrency: forbid }", "{ outcome: succeed, durationSeconds: 4 }"),
  slow: fargate("http: true\npolicy: { timeoutMinutes: 1 }", "{ outcome: succeed, durationSeconds: 600 }"),
  unheard: fargate("http: true", "{ outcome: exit:4, durationSeconds: 0.5 }"),
};

describe("the local stack", () => {
  const project = tempProject(JOBS);
  const clock = createOffsetClock();
  const logs: string[] = [];
  let stack: LocalStack;
  let a: Api;
  let ecs: ECSClient;

  beforeAll(async () => {
    stack = await startLocalStack({
      jobsDir: project.jobsDir,
      dataDir: project.dataDir,
      port: 0,
      clock,
      log: (line) => logs.push(line),
      phaseMs: FAST_PHASES,
      schedulerPollMs: 25,
      retryDelaysMs: [50, 100],
    });
    a = api(stack);
    ecs = new ECSClient({
      endpoint: stack.ecsUrl,
      region: stack.region,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
  });

  afterAll(async () => {
    ecs?.destroy();
    await stack?.close();
    rmSync(project.dir, { recursive: true, force: true });
  });

  const alertsOf = async (runId: string) =>
    (await a.get<{ alerts: LocalAlert[] }>("/alerts")).body.alerts.filter((x) => x.runId === runId);

  it("has the clusters its jobs name, as a user's account would, and no others (ClusterNotFoundException)", async () => {
    const { clusters } = await ecs.send(
      new DescribeClustersCommand({ clusters: ["local-test", "lcoal-test"] }),
    );
    expect(clusters?.map((c) => c.clusterName)).toEqual(["local-test"]);
    await expect(ecs.send(new ListTasksCommand({ cluster: "lcoal-test" }))).rejects.toBeInstanceOf(
      ClusterNotFoundException,
    );
  });

  it("fires a rate(1 minute) schedule on time, through the schedule handler", async () => {
    const first = stack.upcoming("tick", 1)[0];
    expect(first).toBeDefined();
    const before = (await a.get<{ runs: Run[] }>("/jobs/tick/runs")).body.runs;
    expect(before).toEqual([]);
    // One minute passes on the stack's clock.
    clock.advance((first as Date).getTime() - clock.now() + 10);
    const { runs } = await poll(
      async () => (await a.get<{ runs: Run[] }>("/jobs/tick/runs")).body,
      (b) => b.runs.length > 0,
      { what: "a scheduled run of tick" },
    );
    const run = runs[0] as Run;
    expect(run.trigger).toMatchObject({
      kind: "schedule",
      scheduledTime: (first as Date).toISOString().replace(".000Z", "Z"),
    });
    expect((await waitForRun(a, run.runId)).status).toBe("SUCCEEDED");
  });

  it("runs a fire of the same schedule time once, however often it is delivered (fireSchedule hook)", async () => {
    const at = new Date("2026-05-01T12:00:00Z");
    const input = await stack.fireSchedule("tick", at);
    expect(input).toMatchObject({ job: "tick", scheduledTime: "2026-05-01T12:00:00Z" });
    await stack.fireSchedule("tick", at);
    const { runs } = (await a.get<{ runs: Run[] }>("/jobs/tick/runs?limit=100")).body;
    expect(runs.filter((r) => r.trigger.scheduledTime === "2026-05-01T12:00:00Z")).toHaveLength(1);
  });

  it("runs a one-off over HTTP to SUCCEEDED, with the task as ECS reports it", async () => {
    const runId = await startRun(a, "hello");
    const run = await waitForRun(a, runId);
    expect(run).toMatchObject({ job: "hello", status: "SUCCEEDED", trigger: { kind: "http" } });
    expect(run.tasks).toHaveLength(1);
    expect(run.tasks[0]).toMatchObject({ lastStatus: "STOPPED", stopCode: "EssentialContainerExited" });
    expect(run.tasks[0]?.containers).toEqual([expect.objectContaining({ name: "app", exitCode: 0 })]);
    // The same task, seen through the ECS API of the emulator.
    const { tasks } = await ecs.send(
      new DescribeTasksCommand({ cluster: "local-test", tasks: [run.tasks[0]?.taskArn as string] }),
    );
    expect(tasks?.[0]).toMatchObject({ lastStatus: "STOPPED", startedBy: `ecs-jobs/hello/${runId}` });
    // The local task definition is 0.5 vCPU, 1 GB; a sub-second task is billed Fargate's one-minute minimum.
    expect(run.cost).toMatchObject({
      vcpuSeconds: 30,
      gbSeconds: 60,
      pricing: { source: "estimate", region: stack.region },
    });
    // The metrics stand-in logs what CloudWatch would get, once.
    const line = await poll(
      async () => logs.filter((l) => l.includes(`hello: RunsSucceeded=1`) && l.includes(runId)),
      (found) => found.length > 0,
      { what: "the run's metrics line" },
    );
    expect(line).toHaveLength(1);
    expect(line[0]).toMatch(/RunDuration=[\d.]+s StartLatency=[\d.]+s/);
  });

  it("ends a failToStart:CannotPullContainerError run FAILED, with its hint and exactly one alert", async () => {
    const runId = await startRun(a, "broken");
    const run = await waitForRun(a, runId);
    expect(run.status).toBe("FAILED");
    expect(run.tasks[0]).toMatchObject({ stopCode: "TaskFailedToStart" });
    expect(run.tasks[0]?.stoppedReason).toMatch(/^CannotPullContainerError/);
    expect(run.hint).toMatch(/image/i);
    const alerts = await poll(
      () => alertsOf(runId),
      (l) => l.length > 0,
      { what: "the FAILED alert" },
    );
    await stack.idle();
    expect(await alertsOf(runId)).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ channel: "eventbridge", kind: "FAILED", job: "broken" });
    expect(alerts[0]?.detailType).toBe("ECS Job Run FAILED");
    expect(logs.join("")).toContain(`ALERT FAILED broken run ${runId}`);
  });

  it("reports the exit code of an exit:3 run, and alerts on EventBridge and the job's SNS topic", async () => {
    const run = await waitForRun(a, await startRun(a, "exit3"));
    expect(run.status).toBe("FAILED");
    expect(run.tasks[0]?.containers[0]).toMatchObject({ name: "app", exitCode: 3 });
    const alerts = await poll(
      () => alertsOf(run.runId),
      (l) => l.length >= 2,
      { what: "both alerts" },
    );
    expect(alerts.map((x) => x.channel).sort()).toEqual(["eventbridge", "sns"]);
    expect(alerts.find((x) => x.channel === "sns")?.topicArn).toBe("arn:aws:sns:eu-west-1:111122223333:ops");
  });

  it("pauses a schedule after policy.pauseAfterFailures failed runs (Scheduler stand-in), with its alert", async () => {
    await stack.fireSchedule("flaky", new Date("2026-05-02T00:00:00Z"));
    const { runs } = (await a.get<{ runs: Run[] }>("/jobs/flaky/runs")).body;
    const runId = runs[0]?.runId as string;
    expect((await waitForRun(a, runId)).status).toBe("FAILED");
    const alerts = await poll(
      () => alertsOf(runId),
      (l) => l.some((x) => x.kind === "PAUSED"),
      {
        what: "the PAUSED alert",
      },
    );
    expect(alerts.map((x) => x.kind).sort()).toEqual(["FAILED", "PAUSED"]);
    const html = await (await openDashboard(stack.dashboardUrl)).text();
    const row = /<article class="job" id="job-flaky".*?<\/article>/s.exec(html)?.[0] ?? "";
    expect(row).toContain('data-state="PAUSED">PAUSED<');
    // A paused schedule has no next fire times: the local scheduler fires only ENABLED schedules.
    expect(row).not.toMatch(/2099-01-01T00:00/);
  });

  it("skips a second run of a concurrency: forbid job with 409 while the first is active", async () => {
    const first = await startRun(a, "solo");
    await waitForRun(a, first, (r) => r.tasks.length > 0);
    const second = await a.post<{ error: { code: string; message: string } }>("/jobs/solo/runs");
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe("Conflict");
    expect((await a.get<Run>(`/runs/${first}`)).body.status).not.toBe("SKIPPED");
  });

  it("stops a run that outlives policy.timeoutMinutes and ends it TIMED_OUT (the sweeper)", async () => {
    const runId = await startRun(a, "slow");
    await waitForRun(a, runId, (r) => r.status === "RUNNING");
    // Two minutes pass on the stack's clock: the next sweep finds the run past its one-minute timeout.
    clock.advance(2 * 60_000);
    const run = await waitForRun(
      a,
      runId,
      (r) => r.status === "TIMED_OUT" && r.tasks[0]?.lastStatus === "STOPPED",
    );
    expect(run.tasks[0]?.stoppedReason).toMatch(/timed out after 1 minute/);
    const { taskArns } = await ecs.send(
      new ListTasksCommand({
        cluster: "local-test",
        startedBy: `ecs-jobs/slow/${runId}`,
        desiredStatus: "RUNNING",
      }),
    );
    expect(taskArns).toEqual([]);
    // The alert follows the run's end on the stack's event bus: wait for it, not for luck.
    await stack.idle();
    expect((await alertsOf(runId)).map((x) => x.kind)).toContain("TIMED_OUT");
  });

  it("finds a run's end that no event told (lost events) through the sweeper's DescribeTasks", async () => {
    // No task event of this run reaches the status handler: it knows only what the launch recorded. (Losing
    // only the events after RUNNING would mean catching a 0.5 s state by polling, which a busy machine misses.)
    stack.emulator.faults.set({ lostEventRate: 1 });
    const runId = await startRun(a, "unheard");
    const launched = await waitForRun(a, runId, (r) => r.tasks.length > 0);
    const taskArn = launched.tasks[0]?.taskArn ?? "";
    await poll(
      async () =>
        (await ecs.send(new DescribeTasksCommand({ cluster: "local-test", tasks: [taskArn] }))).tasks,
      (tasks) => tasks?.[0]?.lastStatus === "STOPPED",
      { what: "the task to stop in the emulator" },
    );
    await stack.idle();
    stack.emulator.faults.clear();
    expect((await a.get<Run>(`/runs/${runId}`)).body.status).toBe("PENDING");
    // Three minutes on the stack's clock: the sweeper describes the quiet run's task.
    clock.advance(3 * 60_000);
    const run = await waitForRun(a, runId, (r) => r.status === "FAILED");
    expect(run.tasks[0]).toMatchObject({ lastStatus: "STOPPED", containers: [{ exitCode: 4 }] });
    const alerts = await poll(
      () => alertsOf(runId),
      (list) => list.length > 0,
      { what: "the FAILED alert" },
    );
    expect(alerts.map((x) => x.kind)).toEqual(["FAILED"]);
  });

  it("serves a dashboard that lists the jobs and their runs, and 401 without the token", async () => {
    const page = await openDashboard(stack.dashboardUrl);
    expect(page.status).toBe(200);
    const html = await page.text();
    for (const name of Object.keys(JOBS)) expect(html).toContain(`data-job="${name}"`);
    const { runs } = (await a.get<{ runs: Run[] }>("/jobs/broken/runs")).body;
    expect(html).toContain(`data-run="${runs[0]?.runId}"`);
    for (const status of ["SUCCEEDED", "FAILED", "TIMED_OUT"]) expect(html).toContain(`>${status}<`);
    expect(html).toContain("CannotPullContainerError");
    expect(html).toContain("app=3");
    // Each schedule in words, beside its expression.
    expect(html).toMatch(/rate\(1 minute\).*Every minute/s);
    const denied = await fetch(`${stack.httpUrl}/`);
    expect(denied.status).toBe(401);
    expect(((await denied.json()) as { error: { code: string } }).error.code).toBe("Unauthorized");
  });

  it("lets the CLI list the runs of the running stack (`ecs-jobs runs`)", async () => {
    const r = await cli(["runs", "--json", "--limit", "50"], { cwd: project.dir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const runs = JSON.parse(r.stdout) as Run[];
    expect(runs.map((x) => x.job)).toEqual(expect.arrayContaining(["hello", "broken", "exit3", "tick"]));
  });

  it("lets `ecs-jobs run NAME --wait` follow a run of the stack to SUCCEEDED and exit 0", async () => {
    const r = await cli(["run", "hello", "--wait"], { cwd: project.dir });
    expect(`${r.stdout}${r.stderr}`).toMatch(/SUCCEEDED/);
    expect(r.code).toBe(0);
  });
});
