/**
 * The Lambda handlers' AWS-mode code against moto: every client pointed at moto_server, the run table and
 * queues created by moto's CloudFormation from the stack's own resources, ECS and Scheduler answered by
 * moto. What moto lacks or does differently is worked around in one place each (MOTO-FAULTS.md).
 */
import { randomUUID } from "node:crypto";
import {
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  RegisterContainerInstanceCommand,
  type RunTaskCommandInput,
  type StartTaskCommandInput,
  StopTaskCommand,
  type Task,
} from "@aws-sdk/client-ecs";
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { GetScheduleCommand, ListSchedulesCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { beforeAll, describe, expect, it } from "vitest";
import { reconcileSchedules } from "../../deploy/reconcile-schedules.ts";
import { createHttpHandler } from "../../handlers/http.ts";
import { createInstanceLaunchHandler } from "../../handlers/instance-launch.ts";
import { createScheduleHandler } from "../../handlers/schedule.ts";
import { createStatusHandler } from "../../handlers/status.ts";
import { createSweeperHandler } from "../../handlers/sweeper.ts";
import type { Deps } from "../../src/app/deps.ts";
import { catalogOf } from "../../src/catalog/catalog.ts";
import { DEFAULT_CONFIG } from "../../src/config.ts";
import { createDynamoLedger } from "../../src/ledger/dynamo.ts";
import { type MetricDatum, metricsOnTransitions } from "../../src/runs/metrics.ts";
import type { Run, RunTransitions } from "../../src/runs/model.ts";
import { withRunEndLog } from "../../src/runs/run-end-log.ts";
import { lambdaContext, recordingLog } from "../launch/harness.ts";
import { cli, ROOT } from "../support/cli.ts";
import { apiGatewayV2, loadFixture, sqsBatch, taskEvent } from "../support/events.ts";
import { motoClients } from "./support/clients.ts";
import { createCluster, registerTaskDefinition, runEc2Instance } from "./support/ecs.ts";
import { MOTO_REGION, useMoto } from "./support/moto.ts";
import { type Deployed, deployStack } from "./support/stack.ts";

const moto = useMoto();
let deployed: Deployed;
const sent: RunTaskCommandInput[] = [];
const started: StartTaskCommandInput[] = [];

beforeAll(async () => {
  deployed = await deployStack(moto, "test");
  await createCluster(moto, "reports");
  await createCluster(moto, "jobs");
  await registerTaskDefinition(moto, "report:7");
  await registerTaskDefinition(moto, "customer-export", ["export"]);
  await registerTaskDefinition(moto, "legacy-import:2");
  await createCluster(moto, "tiles");
  await registerTaskDefinition(moto, "node-warmup:3", ["warmup"]);
});

/**
 * Deps as lambdaDeps builds them in Lambda, with every endpoint at moto and the clock given; `transitions`
 * as handlers/runtime.ts wires them (the run-end line and the metrics), when a test looks at them.
 */
function motoDeps(now: () => Date = () => new Date(), transitions?: RunTransitions): Deps {
  const clients = motoClients(moto);
  // What the launcher sends, as sent: compared with what `ecs-jobs show` prints.
  clients.ecs.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === "RunTaskCommand")
        sent.push(structuredClone(args.input as RunTaskCommandInput));
      if (context.commandName === "StartTaskCommand")
        started.push(structuredClone(args.input as StartTaskCommandInput));
      return next(args);
    },
    { step: "initialize", name: "recordRunTask" },
  );
  // What moto answers differently from ECS, mended in its answers before our code reads them
  // (MOTO-FAULTS.md): every container has exitCode 0 from the start (ECS gives none before it stops), and
  // tasks have no `version` (ECS's is at least 1 and grows with each change).
  clients.ecs.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const output = (result.output ?? {}) as { tasks?: Task[] };
      for (const t of output.tasks ?? []) {
        if (t.lastStatus !== "STOPPED") for (const c of t.containers ?? []) delete c.exitCode;
        t.version ??= t.lastStatus === "STOPPED" ? 10 : 1;
      }
      return result;
    },
    { step: "initialize", name: "motoNoExitCodeBeforeStop" },
  );
  return {
    clients,
    ledger: createDynamoLedger(clients.dynamodb, {
      tableName: deployed.tableName,
      retentionDays: 1,
      now,
      ...(transitions && { transitions }),
    }),
    catalog: catalogOf(deployed.jobs),
    config: {
      ...DEFAULT_CONFIG,
      tableName: deployed.tableName,
      scheduleGroup: deployed.scheduleGroup,
      region: MOTO_REGION,
    },
    now,
    log: recordingLog(),
    sleep: async () => {},
  };
}

const describeTasks = async (deps: Deps, cluster: string, arns: string[]): Promise<Task[]> =>
  (await deps.clients.ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks ?? [];

/**
 * The "ECS Task State Change" event ECS would emit for a task moto holds. moto's tasks carry no `version`
 * (MOTO-FAULTS.md), so the event's version is given here, increasing as ECS's does.
 */
function eventOf(
  task: Task,
  o: { lastStatus: "RUNNING" | "STOPPED"; version: number; exitCode?: number; started?: boolean },
) {
  return taskEvent({
    lastStatus: o.lastStatus,
    version: o.version,
    taskArn: task.taskArn as string,
    clusterArn: task.clusterArn as string,
    startedBy: task.startedBy as string,
    group: task.group as string,
    ...(o.started === false && {
      started: false,
      stopCode: "TaskFailedToStart",
      stoppedReason: "CannotPullContainerError: pull access denied",
    }),
    containers: (task.containers ?? []).map((c) => ({
      name: c.name as string,
      ...(o.lastStatus === "STOPPED" &&
        (o.started === false
          ? { exitCode: null, reason: "CannotPullContainerError: pull access denied" }
          : { exitCode: o.exitCode ?? 0 })),
    })),
  });
}

/** Events through the task-events queue (moto's SQS, created by the stack) into the status handler. */
async function throughQueue(deps: Deps, events: unknown[]): Promise<unknown> {
  const sqs = new SQSClient({ ...moto.client, maxAttempts: 1 });
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: "ecs-jobs-test-task-events" }));
  for (const e of events)
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: JSON.stringify(e) }));
  const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
  const bodies = (got.Messages ?? []).map((m) => m.Body as string);
  expect(bodies).toHaveLength(events.length);
  const answer = await createStatusHandler(async () => deps)(sqsBatch(bodies) as never, lambdaContext);
  for (const m of got.Messages ?? [])
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle }));
  sqs.destroy();
  return answer;
}

/** POST /jobs/{job}/runs through the http handler (202), and the run's task as moto holds it (cluster jobs). */
async function startOverHttp(deps: Deps, job: string): Promise<{ run: Run; task: Task | undefined }> {
  const post = apiGatewayV2("POST", `/jobs/${job}/runs`, JSON.stringify({}));
  const created = (await createHttpHandler(async () => deps)(post as never, lambdaContext)) as {
    statusCode: number;
    body: string;
  };
  expect(created.statusCode).toBe(202);
  const run = JSON.parse(created.body) as Run;
  const [task] = await describeTasks(deps, "jobs", [run.tasks[0]?.taskArn as string]);
  return { run, task };
}

async function stopInMoto(deps: Deps, task: Task): Promise<void> {
  await deps.clients.ecs.send(new StopTaskCommand({ cluster: task.clusterArn, task: task.taskArn }));
}

describe("the handlers against moto", () => {
  let first: Run;

  it("the schedule handler sends exactly the RunTask `ecs-jobs show` prints, and moto runs it", async () => {
    const deps = motoDeps();
    sent.length = 0;
    const executionId = randomUUID();
    await createScheduleHandler(async () => deps)(
      { job: "nightly-report", executionId, scheduledTime: "2026-12-05T02:00:00Z" } as never,
      lambdaContext,
    );
    const [run] = (await deps.ledger.listByJob("nightly-report", { limit: 5 })).runs;
    expect(run?.tasks).toHaveLength(1);
    first = run as Run;
    const shown = await cli(["show", "nightly-report", "--run-id", first.runId], { cwd: ROOT });
    const printed = (JSON.parse(shown.stdout) as { input: RunTaskCommandInput }[]).map((r) => r.input);
    expect(sent).toEqual(printed);
    const [task] = await describeTasks(deps, "reports", [first.tasks[0]?.taskArn as string]);
    expect(task?.startedBy).toBe(printed[0]?.startedBy);
    expect(task?.overrides?.containerOverrides).toEqual(printed[0]?.overrides?.containerOverrides);
  });

  it("task events go through the queue into the ledger: RUNNING, then SUCCEEDED", async () => {
    const deps = motoDeps();
    const [task] = await describeTasks(deps, "reports", [first.tasks[0]?.taskArn as string]);
    const answer = await throughQueue(deps, [
      eventOf(task as Task, { lastStatus: "RUNNING", version: 2 }),
      eventOf(task as Task, { lastStatus: "STOPPED", version: 4 }),
    ]);
    expect(answer).toEqual({ batchItemFailures: [] });
    expect((await deps.ledger.get(first.runId))?.status).toBe("SUCCEEDED");
    // moto's tasks never stop by themselves (MOTO-FAULTS.md): stop it as its exit would have in ECS, or
    // the next run of this concurrency: forbid job would see it still running.
    await stopInMoto(deps, task as Task);
  });

  it("a run that fails to start is retried as policy.retries says: another RunTask on moto", async () => {
    const deps = motoDeps();
    await createScheduleHandler(async () => deps)(
      { job: "nightly-report", executionId: randomUUID(), scheduledTime: "2026-12-05T03:00:00Z" } as never,
      lambdaContext,
    );
    const run = (await deps.ledger.listByJob("nightly-report", { limit: 10 })).runs.find(
      (r) => r.runId !== first.runId && r.attempt === 1,
    ) as Run;
    const [task] = await describeTasks(deps, "reports", [run.tasks[0]?.taskArn as string]);
    await stopInMoto(deps, task as Task);
    await throughQueue(deps, [eventOf(task as Task, { lastStatus: "STOPPED", version: 3, started: false })]);
    expect((await deps.ledger.get(run.runId))?.status).toBe("FAILED");
    const attempts = (await deps.ledger.listByJob("nightly-report", { limit: 10 })).runs.filter(
      (r) => r.lineageId === run.lineageId,
    );
    expect(attempts.map((r) => r.attempt).sort()).toEqual([1, 2]);
    const retry = attempts.find((r) => r.attempt === 2) as Run;
    // Retries wait policy.retries.delaySeconds: the sweeper launches it once due.
    const later = () => new Date(Date.now() + 10 * 60_000);
    await createSweeperHandler(async () => motoDeps(later))({} as never, lambdaContext);
    const launched = await deps.ledger.get(retry.runId);
    expect(launched?.tasks).toHaveLength(1);
    expect(await describeTasks(deps, "reports", [launched?.tasks[0]?.taskArn as string])).toHaveLength(1);
  });

  it("the sweeper times out a run past policy.timeoutMinutes and stops its task on moto", async () => {
    const deps = motoDeps();
    const { run, task } = await startOverHttp(deps, "customer-export");
    await throughQueue(deps, [eventOf(task as Task, { lastStatus: "RUNNING", version: 2 })]);
    // Past customer-export's 30 minutes, within nightly-report's 90 (whose alerts would go to an SNS topic
    // of another account, which moto, like AWS, does not have).
    const later = () => new Date(Date.now() + 40 * 60_000);
    await createSweeperHandler(async () => motoDeps(later))({} as never, lambdaContext);
    expect((await deps.ledger.get(run.runId))?.status).toBe("TIMED_OUT");
    const [stopped] = await describeTasks(deps, "jobs", [task?.taskArn as string]);
    expect(stopped?.desiredStatus).toBe("STOPPED");
  });

  it("a failed run as an operator sees it on AWS: the status function's run-end line, RunsFailed, the alert on the default bus", async () => {
    // An operator's rule on the default bus: every ecs-jobs alert to a queue (moto delivers to SQS targets).
    const sqs = new SQSClient({ ...moto.client, maxAttempts: 1 });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "ops-alerts" }));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
    );
    const events = new EventBridgeClient({ ...moto.client, maxAttempts: 1 });
    await events.send(
      new PutRuleCommand({ Name: "ops-alerts", EventPattern: JSON.stringify({ source: ["ecs-jobs"] }) }),
    );
    await events.send(
      new PutTargetsCommand({ Rule: "ops-alerts", Targets: [{ Id: "queue", Arn: Attributes?.QueueArn }] }),
    );
    events.destroy();

    const log = recordingLog();
    const metrics: { job: string; data: readonly MetricDatum[] }[] = [];
    const transitions = withRunEndLog(
      log,
      metricsOnTransitions({ emit: (job, data) => metrics.push({ job, data }) }),
    );
    const deps = { ...motoDeps(undefined, transitions), log };
    const { run, task } = await startOverHttp(deps, "legacy-import");
    await stopInMoto(deps, task as Task);
    await throughQueue(deps, [eventOf(task as Task, { lastStatus: "STOPPED", version: 3, started: false })]);

    const failed = await deps.ledger.get(run.runId);
    expect(failed?.status).toBe("FAILED");
    const ended = log.lines.filter((l) => l.message === "run ended");
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({
      level: "warn",
      extra: [
        {
          runId: run.runId,
          job: "legacy-import",
          status: "FAILED",
          trigger: "http",
          hint: failed?.hint,
          failedTasks: [
            {
              taskArn: task?.taskArn,
              stopCode: "TaskFailedToStart",
              stoppedReason: "CannotPullContainerError: pull access denied",
            },
          ],
        },
      ],
    });
    expect(failed?.hint).toMatch(/image|pull/i);
    expect(metrics).toEqual([
      { job: "legacy-import", data: [{ name: "RunsFailed", unit: "Count", value: 1 }] },
    ]);

    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    sqs.destroy();
    const alerts = (got.Messages ?? []).map((m) => JSON.parse(m.Body as string) as Record<string, unknown>);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      source: "ecs-jobs",
      "detail-type": "ECS Job Run FAILED",
      detail: {
        kind: "FAILED",
        runId: run.runId,
        job: "legacy-import",
        status: "FAILED",
        hint: failed?.hint,
        summary: expect.stringContaining(run.runId),
        tasks: [{ taskArn: task?.taskArn, stopCode: "TaskFailedToStart" }],
      },
    });
  });

  it("HTTP routes read the ledger in moto's DynamoDB", async () => {
    const deps = motoDeps();
    const http = createHttpHandler(async () => deps);
    const jobs = (await http(apiGatewayV2("GET", "/jobs") as never, lambdaContext)) as {
      statusCode: number;
      body: string;
    };
    expect(jobs.statusCode).toBe(200);
    const runs = (await http(apiGatewayV2("GET", "/jobs/nightly-report/runs") as never, lambdaContext)) as {
      statusCode: number;
      body: string;
    };
    expect(runs.statusCode).toBe(200);
    expect(runs.body).toContain(first.runId);
    const one = (await http(apiGatewayV2("GET", `/runs/${first.runId}`) as never, lambdaContext)) as {
      statusCode: number;
      body: string;
    };
    expect(JSON.parse(one.body)).toMatchObject({ runId: first.runId, status: "SUCCEEDED" });
  });

  it("an instance joining the cluster gets the StartTask `show --instance` prints, once, with its registration time in the run id", async () => {
    const deps = motoDeps();
    const { containerInstance } = await deps.clients.ecs.send(
      new RegisterContainerInstanceCommand({
        cluster: "tiles",
        instanceIdentityDocument: JSON.stringify({
          instanceId: await runEc2Instance(moto),
          region: MOTO_REGION,
        }),
      }),
    );
    const instanceArn = containerInstance?.containerInstanceArn as string;
    const [described] =
      (
        await deps.clients.ecs.send(
          new DescribeContainerInstancesCommand({ cluster: "tiles", containerInstances: [instanceArn] }),
        )
      ).containerInstances ?? [];
    // AWS's sample event, for this instance: it carries no registeredAt.
    const event = loadFixture<{ detail: Record<string, unknown> }>("ecs-container-instance-state-change");
    Object.assign(event.detail, {
      clusterArn: `arn:aws:ecs:${MOTO_REGION}:123456789012:cluster/tiles`,
      containerInstanceArn: instanceArn,
    });
    delete event.detail.registeredAt;
    started.length = 0;
    const handler = createInstanceLaunchHandler(async () => deps);
    const out = (await handler(event as never, lambdaContext)) as {
      started: { job: string; runId: string }[];
    };
    await handler(event as never, lambdaContext);
    expect(started).toHaveLength(1);
    const runId = out.started[0]?.runId as string;
    expect(described?.registeredAt).toBeInstanceOf(Date);
    const stamp = new Date(described?.registeredAt as Date)
      .toISOString()
      .replace(/[-:]/g, "")
      .replace(/\.\d+Z$/, "Z");
    expect(runId.startsWith(stamp)).toBe(true);
    const shown = await cli(["show", "node-warmup", "--run-id", runId, "--instance", instanceArn], {
      cwd: ROOT,
    });
    expect(started).toEqual(
      (JSON.parse(shown.stdout) as { input: StartTaskCommandInput }[]).map((r) => r.input),
    );
    const run = await deps.ledger.get(runId);
    expect(await describeTasks(deps, "tiles", [run?.tasks[0]?.taskArn as string])).toHaveLength(1);
  });

  it("reconcile-schedules creates the schedules in the stack's group, and a second run changes nothing", async () => {
    const client = new SchedulerClient({ ...moto.client, maxAttempts: 1 });
    const target = {
      arn: `arn:aws:lambda:${MOTO_REGION}:123456789012:function:ecs-jobs-test-schedule`,
      roleArn: "arn:aws:iam::123456789012:role/ecs-jobs-test-eu-west-1-scheduler",
      deadLetterArn: `arn:aws:sqs:${MOTO_REGION}:123456789012:ecs-jobs-test-schedules-dlq`,
    };
    const options = { client, manifest: deployed.manifest, target, sleep: async () => {} };
    const once = await reconcileSchedules(options);
    expect(once.created.length).toBe(deployed.manifest.schedules.length);
    const twice = await reconcileSchedules(options);
    expect(twice).toMatchObject({ created: [], updated: [], deleted: [] });
    const listed = await client.send(new ListSchedulesCommand({ GroupName: deployed.scheduleGroup }));
    expect(listed.Schedules?.map((s) => s.Name).sort()).toEqual(
      deployed.manifest.schedules.map((s) => s.name).sort(),
    );
    client.destroy();
  });
  it("GET /jobs and GET /jobs/{name} count a rate schedule from its LastModificationDate in Scheduler, not from the request", async () => {
    const client = new SchedulerClient({ ...moto.client, maxAttempts: 1 });
    // The stack's schedules, as deployed (idempotent: the test above may have created them already).
    await reconcileSchedules({
      client,
      manifest: deployed.manifest,
      target: {
        arn: `arn:aws:lambda:${MOTO_REGION}:123456789012:function:ecs-jobs-test-schedule`,
        roleArn: "arn:aws:iam::123456789012:role/ecs-jobs-test-eu-west-1-scheduler",
        deadLetterArn: `arn:aws:sqs:${MOTO_REGION}:123456789012:ecs-jobs-test-schedules-dlq`,
      },
      sleep: async () => {},
    });
    const s = await client.send(
      new GetScheduleCommand({ Name: "cache-compaction", GroupName: deployed.scheduleGroup }),
    );
    client.destroy();
    expect(s.ScheduleExpression).toBe("rate(6 hours)");
    expect(s.StartDate).toBeUndefined();
    const modified = (s.LastModificationDate as Date).getTime();
    const hours = (n: number) => modified + n * 3_600_000;
    // Asked 2 h 17 s after the schedule was made: rate(6 hours) fires 6 h after it, then every 6 h.
    const deps = motoDeps(() => new Date(hours(2) + 17_000));
    const http = createHttpHandler(async () => deps);
    const call = async <T>(path: string) =>
      JSON.parse(
        ((await http(apiGatewayV2("GET", path) as never, lambdaContext)) as { body: string }).body,
      ) as T;
    const times = (ts: string[]) => ts.map((t) => new Date(t).getTime());
    const list = await call<{ jobs: { name: string; nextFireTimes: string[] }[] }>("/jobs");
    const listed = list.jobs.find((j) => j.name === "cache-compaction");
    expect(times(listed?.nextFireTimes ?? [])).toEqual([hours(6)]);
    const one = await call<{ nextFireTimes: string[] }>("/jobs/cache-compaction");
    expect(times(one.nextFireTimes)).toEqual([hours(6), hours(12), hours(18), hours(24), hours(30)]);
  });
});
