import {
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RunTaskCommand,
  type RunTaskCommandInput,
  StopTaskCommand,
} from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { launchRun } from "../../src/app/launch-run.ts";
import { runTaskRequests } from "../../src/jobspec/requests.ts";
import type { Trigger } from "../../src/runs/model.ts";
import { runIdFor } from "../../src/runs/run-id.ts";
import { cli } from "../support/cli.ts";
import { awsError, ecsTask, exampleJob, placeAll, ROOT, testDeps } from "./harness.ts";

const ecs = mockClient(ECSClient);
afterEach(() => {
  ecs.reset();
});

const scheduled = (id = "exec-1", scheduledTime = "2026-03-10T02:00:00Z"): Trigger => ({
  kind: "schedule",
  id,
  scheduledTime,
});
const sent = () => ecs.commandCalls(RunTaskCommand).map((c) => c.args[0].input);

describe("launchRun sends what `ecs-jobs show` prints", () => {
  for (const name of ["nightly-report", "thumbnail-fanout", "cache-compaction", "spot-crunch"]) {
    it(`${name}: the RunTask inputs equal the CLI's show output for the same run id`, async () => {
      placeAll(ecs);
      const deps = testDeps();
      const run = await launchRun(deps, { job: exampleJob(name), trigger: scheduled() });
      const shown = await cli(["show", name, "--run-id", run.runId], { cwd: ROOT });
      expect(shown.code).toBe(0);
      const printed = (JSON.parse(shown.stdout) as { operation: string; input: unknown }[]).map((r) => {
        expect(r.operation).toBe("RunTask");
        return r.input;
      });
      expect(sent()).toEqual(printed);
      expect(printed.length).toBeGreaterThan(0);
    });
  }

  it("records the run first (PENDING, expected tasks, trigger) and then every task placed", async () => {
    placeAll(ecs);
    const deps = testDeps();
    const run = await launchRun(deps, { job: exampleJob("thumbnail-fanout"), trigger: scheduled() });
    expect(run).toMatchObject({
      job: "thumbnail-fanout",
      status: "PENDING",
      attempt: 1,
      expectedTasks: 25,
      trigger: scheduled(),
      failures: [],
    });
    expect(run.tasks).toHaveLength(25);
    expect(new Set(run.tasks.map((t) => t.taskArn)).size).toBe(25);
    expect(run.tasks[0]).toMatchObject({ lastStatus: "PROVISIONING", containers: [{ name: "app" }] });
    expect(deps.log.keys).toEqual({ job: "thumbnail-fanout", runId: run.runId });
    expect(await deps.ledger.get(run.runId)).toEqual(run);
  });

  it("records the essential flags of the task definition, described once per process", async () => {
    placeAll(ecs);
    ecs.on(DescribeTaskDefinitionCommand).resolves({
      taskDefinition: {
        containerDefinitions: [
          { name: "app", essential: true },
          { name: "sidecar", essential: false },
        ],
      },
    });
    ecs.on(RunTaskCommand).callsFake((input: RunTaskCommandInput) => ({
      tasks: Array.from({ length: input.count ?? 1 }, () => ecsTask({ containers: ["app", "sidecar"] })),
    }));
    const deps = testDeps();
    const run = await launchRun(deps, { job: exampleJob("thumbnail-fanout"), trigger: scheduled() });
    expect(run.tasks[0]?.containers).toEqual([
      { name: "app", lastStatus: "PENDING", essential: true },
      { name: "sidecar", lastStatus: "PENDING", essential: false },
    ]);
    await launchRun(deps, { job: exampleJob("thumbnail-fanout"), trigger: scheduled("exec-2") });
    expect(ecs).toHaveReceivedCommandTimes(DescribeTaskDefinitionCommand, 1);
  });

  it("uses the merged overrides of the run", async () => {
    placeAll(ecs);
    const j = exampleJob("customer-export");
    const overrides = { count: 2, containers: { export: { environment: { CUSTOMER_ID: "c-42" } } } };
    const deps = testDeps();
    const run = await launchRun(deps, { job: j, trigger: { kind: "http", id: "req-1" }, overrides });
    expect(sent()).toEqual(runTaskRequests(j, run.runId, overrides).map((r) => r.input));
    // Recorded, so a retry of this run launches the same thing.
    expect((await deps.ledger.get(run.runId))?.overrides).toEqual(overrides);
    expect(sent()[0]?.overrides?.containerOverrides?.[0]?.environment).toEqual([
      { name: "CUSTOMER_ID", value: "c-42" },
      { name: "FORMAT", value: "csv" },
    ]);
  });
});

describe("idempotence", () => {
  it("a duplicated scheduler invocation finds the launch recorded, sends nothing more, leaves one run", async () => {
    const placed = ecsTask();
    // ECS answers a repeated clientToken with the task it already started.
    ecs.on(RunTaskCommand).resolves({ tasks: [placed], failures: [] });
    const deps = testDeps();
    const first = await launchRun(deps, { job: exampleJob("legacy-import"), trigger: scheduled("exec-7") });
    const second = await launchRun(deps, { job: exampleJob("legacy-import"), trigger: scheduled("exec-7") });
    expect(second.runId).toBe(first.runId);
    const tokens = sent().map((i) => i.clientToken);
    expect(tokens).toEqual([`${first.runId}-0`]);
    expect(deps.ledger.runs.size).toBe(1);
    expect(second.tasks.map((t) => t.taskArn)).toEqual([placed.taskArn]);
  });

  it("a redelivery does not record the same failures twice", async () => {
    ecs.on(RunTaskCommand).resolves({ failures: [{ reason: "RESOURCE:MEMORY", arn: "arn:ci/1" }] });
    const deps = testDeps();
    const j = exampleJob("cache-compaction");
    ecs.on(ListTasksCommand).resolves({ taskArns: [] });
    const a = await launchRun(deps, { job: j, trigger: scheduled("exec-9") });
    // The first delivery ended FAILED: a redelivery returns the run as it is and sends nothing.
    const b = await launchRun(deps, { job: j, trigger: scheduled("exec-9") });
    expect(b).toEqual(a);
    expect(sent()).toHaveLength(1);
  });

  it("a redelivery of a run whose launch died before recording re-sends the call, same clientToken", async () => {
    const placed = [ecsTask({ cluster: "tiles" }), ecsTask({ cluster: "tiles" })];
    ecs.on(ListTasksCommand).resolves({ taskArns: [] });
    // The first delivery dies waiting for RunTask's answer (a Lambda timeout): it never records it.
    ecs.on(RunTaskCommand).callsFake(() => new Promise(() => {}));
    const deps = testDeps();
    const j = exampleJob("cache-compaction");
    void launchRun(deps, { job: j, trigger: scheduled("exec-3") });
    while (sent().length === 0) await new Promise((r) => setImmediate(r));
    ecs.on(RunTaskCommand).resolves({ tasks: placed, failures: [{ reason: "RESOURCE:CPU" }] });
    const again = await launchRun(deps, { job: j, trigger: scheduled("exec-3") });
    expect(sent().map((i) => i.clientToken)).toEqual([`${again.runId}-0`, `${again.runId}-0`]);
    expect(again.tasks.map((t) => t.taskArn)).toEqual(placed.map((t) => t.taskArn));
    expect(again.failures).toEqual([{ reason: "RESOURCE:CPU" }]);
    expect(again.launch).toMatchObject({ batches: 1, done: 1 });
  });

  it("different fire times make different runs", async () => {
    placeAll(ecs);
    const deps = testDeps();
    const job = exampleJob("legacy-import");
    const a = await launchRun(deps, { job, trigger: scheduled("exec-1", "2026-03-10T02:00:00Z") });
    const b = await launchRun(deps, { job, trigger: scheduled("exec-2", "2026-03-10T03:00:00Z") });
    expect(a.runId).not.toBe(b.runId);
  });

  it("one fire time is one run, whatever execution id delivers it", async () => {
    placeAll(ecs);
    const deps = testDeps();
    const job = exampleJob("legacy-import");
    const a = await launchRun(deps, { job, trigger: scheduled("exec-1", "2026-03-10T02:00:00Z") });
    const b = await launchRun(deps, { job, trigger: scheduled("exec-2", "2026-03-10T02:00:00.000Z") });
    expect(b.runId).toBe(a.runId);
    // The second delivery finds the batch recorded and sends nothing again.
    expect(ecs).toHaveReceivedCommandTimes(RunTaskCommand, 1);
  });
});

describe("RunTask failures", () => {
  it("are recorded with their reason, and a run with no task placed is FAILED with a hint", async () => {
    ecs.on(ListTasksCommand).resolves({ taskArns: [] });
    ecs.on(RunTaskCommand).resolves({
      tasks: [],
      failures: [
        { arn: "arn:aws:ecs:us-east-1:111122223333:container-instance/tiles/a", reason: "RESOURCE:MEMORY" },
      ],
    });
    const run = await launchRun(testDeps(), { job: exampleJob("cache-compaction"), trigger: scheduled() });
    expect(run.status).toBe("FAILED");
    expect(run.failures[0]).toEqual({
      arn: "arn:aws:ecs:us-east-1:111122223333:container-instance/tiles/a",
      reason: "RESOURCE:MEMORY",
    });
    // Three tasks asked, one failure given: the shortfall is counted so the run can finish.
    expect(run.failures).toHaveLength(3);
    expect(run.failures.every((f) => f.reason === "RESOURCE:MEMORY")).toBe(true);
    expect(run.hint).toMatch(/enough free memory/);
  });

  it("leave a partly placed run waiting for its tasks, with the failures counted", async () => {
    ecs.on(ListTasksCommand).resolves({ taskArns: [] });
    ecs
      .on(RunTaskCommand)
      .resolves({ tasks: [ecsTask(), ecsTask()], failures: [{ reason: "RESOURCE:CPU" }] });
    const run = await launchRun(testDeps(), { job: exampleJob("cache-compaction"), trigger: scheduled() });
    expect(run.status).toBe("PENDING");
    expect(run.tasks).toHaveLength(2);
    expect(run.failures).toEqual([{ reason: "RESOURCE:CPU" }]);
  });
});

describe("ECS errors", () => {
  // What the SDK's retries do on the wire is in sdk-retries.test.ts (the mock replaces the SDK's send).
  it("an error that outlasts the SDK's retries ends the run FAILED, sent once by the launcher", async () => {
    ecs.on(RunTaskCommand).rejects(awsError("ServerException", 500, "Service unavailable"));
    const deps = testDeps();
    const run = await launchRun(deps, { job: exampleJob("legacy-import"), trigger: scheduled() });
    expect(ecs).toHaveReceivedCommandTimes(RunTaskCommand, 1);
    expect(deps.sleeps).toEqual([]);
    expect(run.status).toBe("FAILED");
    expect(run.failures).toEqual([
      { reason: "ServerException", detail: "RunTask on cluster jobs (batch 1 of 1): Service unavailable" },
    ]);
    expect(run.hint).toMatch(/^ECS answered RunTask on cluster jobs \(batch 1 of 1\) with ServerException/);
  });

  for (const [name, pattern] of [
    ["InvalidParameterException", /rejected a parameter/],
    ["ClusterNotFoundException", /cluster does not exist/],
    ["AccessDeniedException", /not allowed/],
    ["ClientException", /ACTIVE revision/],
  ] as const) {
    it(`${name} (4xx) is not retried: the run is FAILED with the message and a hint`, async () => {
      ecs.on(RunTaskCommand).rejects(awsError(name, 400, "something is wrong with the request"));
      const deps = testDeps();
      const run = await launchRun(deps, { job: exampleJob("legacy-import"), trigger: scheduled() });
      expect(ecs).toHaveReceivedCommandTimes(RunTaskCommand, 1);
      expect(deps.sleeps).toEqual([]);
      expect(run.status).toBe("FAILED");
      expect(run.failures).toEqual([{ reason: name, detail: "something is wrong with the request" }]);
      expect(run.hint).toMatch(pattern);
      expect(run.hint).toContain("something is wrong with the request");
    });
  }

  it("a 4xx after some batches were placed stops launching and counts the rest as failures", async () => {
    ecs
      .on(RunTaskCommand)
      .resolvesOnce({ tasks: Array.from({ length: 10 }, () => ecsTask()) })
      .rejects(awsError("LimitExceededException", 400, "too many tasks"));
    const run = await launchRun(testDeps(), { job: exampleJob("thumbnail-fanout"), trigger: scheduled() });
    expect(ecs).toHaveReceivedCommandTimes(RunTaskCommand, 2);
    expect(run.tasks).toHaveLength(10);
    expect(run.failures).toHaveLength(15);
    expect(run.failures[0]).toEqual({ reason: "LimitExceededException", detail: "too many tasks" });
    expect(run.status).toBe("PENDING");
  });

  it("a programming error is not mistaken for an ECS answer", async () => {
    ecs.on(RunTaskCommand).rejects(new TypeError("boom"));
    await expect(
      launchRun(testDeps(), { job: exampleJob("legacy-import"), trigger: scheduled() }),
    ).rejects.toThrow(TypeError);
    expect(ecs).toHaveReceivedCommandTimes(RunTaskCommand, 1);
  });
});

describe("concurrency", () => {
  const nightly = exampleJob("nightly-report");
  const other = "20260309T010000Z-0badc0de";
  const activeTasks = (startedBy: string[]) => {
    const tasks = startedBy.map((s) => ecsTask({ startedBy: s, lastStatus: "RUNNING" }));
    ecs.on(ListTasksCommand).resolves({ taskArns: tasks.map((t) => t.taskArn as string) });
    ecs.on(DescribeTasksCommand).resolves({ tasks });
    return tasks;
  };

  it("forbid: an active run of the job makes this one SKIPPED, with a note naming it, and sends nothing", async () => {
    activeTasks([`ecs-jobs/nightly-report/${other}`]);
    placeAll(ecs);
    const run = await launchRun(testDeps(), { job: nightly, trigger: scheduled() });
    expect(run.status).toBe("SKIPPED");
    expect(run.notes?.join(" ")).toContain(other);
    expect(run.hint).toContain(other);
    expect(ecs).toHaveReceivedCommandTimes(RunTaskCommand, 0);
    expect(ecs).toHaveReceivedCommandWith(ListTasksCommand, {
      cluster: "reports",
      family: "report",
      desiredStatus: "RUNNING",
    });
  });

  it("forbid: tasks of other jobs, other systems and the run itself (a redelivery) do not count", async () => {
    const trigger = scheduled("y");
    const self = runIdFor(nightly.name, trigger, new Date(trigger.scheduledTime as string));
    activeTasks([
      "ecs-jobs/nightly-report-v2/20260309T010000Z-00000000",
      "ecs-svc/9223370556150183303",
      `ecs-jobs/nightly-report/${self}`,
    ]);
    placeAll(ecs);
    const run = await launchRun(testDeps(), { job: nightly, trigger });
    expect(run.runId).toBe(self);
    expect(run.status).toBe("PENDING");
    expect(ecs).toHaveReceivedCommandTimes(RunTaskCommand, 1);
  });

  it("forbid: of two triggers at the same instant (neither's tasks listed yet), one launches", async () => {
    ecs.on(ListTasksCommand).resolves({ taskArns: [] });
    placeAll(ecs);
    const deps = testDeps();
    const [a, b] = await Promise.all([
      launchRun(deps, { job: nightly, trigger: scheduled("exec-a") }),
      launchRun(deps, { job: nightly, trigger: { kind: "http", id: "req-b" } }),
    ]);
    const runs = [a, b];
    expect(runs.map((r) => r.status).sort()).toEqual(["PENDING", "SKIPPED"]);
    const launched = runs.find((r) => r.status === "PENDING");
    expect(runs.find((r) => r.status === "SKIPPED")?.hint).toContain(launched?.runId);
    expect(ecs).toHaveReceivedCommandTimes(RunTaskCommand, 1);

    // Once that run is final, the slot is free again; a redelivery of the launched trigger still launches.
    const again = await launchRun(deps, { job: nightly, trigger: scheduled("exec-a") });
    expect(again.runId).toBe(a.runId);
    await deps.ledger.finish(launched!.runId, "TIMED_OUT");
    const next = await launchRun(deps, {
      job: nightly,
      trigger: scheduled("exec-c", "2026-03-11T02:00:00Z"),
    });
    expect(next.status).toBe("PENDING");
  });

  it("finds active tasks across ListTasks pages and DescribeTasks batches of 100", async () => {
    const many = Array.from({ length: 150 }, () => ecsTask({ startedBy: "ecs-svc/1" }));
    const last = ecsTask({ startedBy: `ecs-jobs/nightly-report/${other}` });
    ecs
      .on(ListTasksCommand)
      .resolvesOnce({ taskArns: many.map((t) => t.taskArn as string), nextToken: "page-2" })
      .resolvesOnce({ taskArns: [last.taskArn as string] });
    ecs.on(DescribeTasksCommand).callsFake(({ tasks }: { tasks: string[] }) => ({
      tasks: [...many, last].filter((t) => tasks.includes(t.taskArn as string)),
    }));
    const run = await launchRun(testDeps(), { job: nightly, trigger: scheduled() });
    expect(run.status).toBe("SKIPPED");
    expect(ecs).toHaveReceivedNthCommandWith(ListTasksCommand, 2, { nextToken: "page-2" });
    expect(ecs.commandCalls(DescribeTasksCommand).map((c) => c.args[0].input.tasks?.length)).toEqual([
      100, 51,
    ]);
  });

  it("replace: cancels the run holding the job (CANCELLED, cancelledBy), stops its tasks, then launches", async () => {
    const j = exampleJob("cache-compaction");
    ecs.on(ListTasksCommand).resolves({ taskArns: [] });
    placeAll(ecs, "tiles");
    const deps = testDeps();
    const first = await launchRun(deps, { job: j, trigger: scheduled("exec-1") });
    ecs.resetHistory();
    // The next fire time: one fire time is one run, whichever execution delivers it (run-id.ts).
    const run = await launchRun(deps, { job: j, trigger: scheduled("exec-2", "2026-03-10T03:00:00Z") });
    const stops = ecs.commandCalls(StopTaskCommand).map((c) => c.args[0].input);
    expect(stops).toEqual(
      first.tasks.map((t) => ({
        cluster: "tiles",
        task: t.taskArn,
        reason: `ecs-jobs: replaced by run ${run.runId}`,
      })),
    );
    expect(stops).toHaveLength(3);
    const order = ecs.calls().map((c) => (c.args[0] as object).constructor.name);
    expect(order.lastIndexOf("StopTaskCommand")).toBeLessThan(order.indexOf("RunTaskCommand"));
    expect(run.status).toBe("PENDING");
    expect(run.notes).toEqual([`replaced run ${first.runId}: 3 task(s) stopped`]);
    expect(await deps.ledger.get(first.runId)).toMatchObject({
      status: "CANCELLED",
      cancelledBy: run.runId,
    });
  });

  it("replace: a run replaced while its RunTask was answering stops the tasks it got", async () => {
    const j = exampleJob("cache-compaction");
    ecs.on(ListTasksCommand).resolves({ taskArns: [] });
    const deps = testDeps();
    let replaced = false;
    // The second trigger takes over (and launches) while the first one's RunTask is in flight.
    ecs.on(RunTaskCommand).callsFake(async (input: RunTaskCommandInput) => {
      if (!replaced) {
        replaced = true;
        await launchRun(deps, { job: j, trigger: scheduled("exec-2", "2026-03-10T03:00:00Z") });
      }
      return {
        tasks: Array.from({ length: input.count ?? 1 }, () => ecsTask({ cluster: "tiles" })),
        failures: [],
      };
    });
    const first = await launchRun(deps, { job: j, trigger: scheduled("exec-1") });
    expect(first.status).toBe("CANCELLED");
    const stopped = ecs.commandCalls(StopTaskCommand).map((c) => c.args[0].input.task);
    for (const t of first.tasks) expect(stopped).toContain(t.taskArn);
  });

  it("allow: no lookup at all", async () => {
    placeAll(ecs);
    await launchRun(testDeps(), { job: exampleJob("legacy-import"), trigger: scheduled() });
    expect(ecs).toHaveReceivedCommandTimes(ListTasksCommand, 0);
  });
});

describe("spot fallback", () => {
  const CAPACITY =
    "Capacity is unavailable at this time. Please try again later or in a different availability zone";
  const spot = exampleJob("spot-crunch");

  it("relaunches what Spot could not place on FARGATE, with its own clientToken, and says so", async () => {
    const fallbackTask = ecsTask();
    ecs
      .on(RunTaskCommand)
      .resolvesOnce({
        tasks: [],
        failures: [{ arn: "arn:aws:ecs:us-east-1:111122223333:task/jobs/x", reason: CAPACITY }],
      })
      .resolves({ tasks: [fallbackTask], failures: [] });
    const run = await launchRun(testDeps(), { job: spot, trigger: scheduled() });
    const [first, second] = sent();
    expect(first?.capacityProviderStrategy?.[0]?.capacityProvider).toBe("FARGATE_SPOT");
    expect(second).toEqual({
      ...first,
      capacityProviderStrategy: [{ capacityProvider: "FARGATE", weight: 1 }],
      count: 1,
      clientToken: `${run.runId}-0-f0`,
    });
    expect(run.status).toBe("PENDING");
    expect(run.tasks.map((t) => t.taskArn)).toEqual([fallbackTask.taskArn]);
    expect(run.failures).toEqual([]);
    expect(run.notes).toEqual([`spot capacity unavailable; 1 task(s) launched on FARGATE (${CAPACITY})`]);
  });

  it("drops every Spot capacity failure once the fallback placed the tasks, however many ECS gave", async () => {
    ecs
      .on(RunTaskCommand)
      .resolvesOnce({ failures: [{ reason: CAPACITY }, { reason: CAPACITY, detail: "us-east-1b" }] })
      .resolves({ tasks: [ecsTask()] });
    const run = await launchRun(testDeps(), { job: spot, trigger: scheduled() });
    expect(sent()[1]?.count).toBe(1);
    expect(run.failures).toEqual([]);
    expect(run.tasks).toHaveLength(1);
  });

  it("also when ECS throws the capacity error instead of answering with failures", async () => {
    ecs
      .on(RunTaskCommand)
      .rejectsOnce(awsError("ClientException", 400, CAPACITY))
      .resolves({ tasks: [ecsTask()] });
    const run = await launchRun(testDeps(), { job: spot, trigger: scheduled() });
    expect(sent()[1]?.capacityProviderStrategy).toEqual([{ capacityProvider: "FARGATE", weight: 1 }]);
    expect(run.failures).toEqual([]);
    expect(run.tasks).toHaveLength(1);
  });

  it("a fallback that fails too leaves the run FAILED with the fallback's reason", async () => {
    ecs
      .on(RunTaskCommand)
      .resolvesOnce({ failures: [{ reason: CAPACITY }] })
      .resolves({ failures: [{ reason: CAPACITY, detail: "FARGATE" }] });
    const run = await launchRun(testDeps(), { job: spot, trigger: scheduled() });
    expect(run.status).toBe("FAILED");
    expect(run.failures).toEqual([{ reason: CAPACITY, detail: "FARGATE" }]);
    expect(run.notes?.[0]).toMatch(/^spot capacity unavailable; 0 of 1 task\(s\) launched on FARGATE/);
    expect(run.hint).toMatch(/capacity/i);
  });

  it("without policy.spotFallback a Spot capacity failure fails the run", async () => {
    const noFallback = {
      ...spot,
      spec: { ...spot.spec, policy: { ...spot.spec.policy, spotFallback: false } },
    };
    ecs.on(RunTaskCommand).resolves({ failures: [{ reason: CAPACITY }] });
    const run = await launchRun(testDeps(), { job: noFallback, trigger: scheduled() });
    expect(ecs).toHaveReceivedCommandTimes(RunTaskCommand, 1);
    expect(run.status).toBe("FAILED");
    expect(run.hint).toMatch(/fall back from Spot/);
  });

  it("does not fall back for failures that are not about capacity", async () => {
    ecs
      .on(RunTaskCommand)
      .resolves({ failures: [{ reason: "MISSING", arn: "arn:aws:ecs:us-east-1:1:cluster/jobs" }] });
    const run = await launchRun(testDeps(), { job: spot, trigger: scheduled() });
    expect(ecs).toHaveReceivedCommandTimes(RunTaskCommand, 1);
    expect(run.status).toBe("FAILED");
    expect(run.notes).toBeUndefined();
  });
});
