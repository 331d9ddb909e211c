/**
 * Drives one run through the real handlers on the local stand-ins and counts what it costs: the schedule
 * handler launches it (RunTask on the ECS emulator, the ledger on dynalite); the emulator moves its tasks
 * through ECS's lifecycle; their "ECS Task State Change" events reach the status handler in SQS batches as
 * the deployed event source mapping forms them (batching window 1 s, at most 100; see `batchesOf`); a run's
 * end alerts through the AWS stand-in (EventBridge, SNS, CloudWatch Logs). The launcher and the status
 * function get separate clients and ledgers, as separate Lambda containers would.
 */
import "../quiet.ts";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TASK_EVENTS } from "../../deploy/stack.ts";
import { sqsBatch } from "../../gen/task-events.ts";
import { RUN_ACTION_CLIENTS } from "../../handlers/run-action-clients.ts";
import { logger } from "../../handlers/runtime.ts";
import { createScheduleHandler } from "../../handlers/schedule.ts";
import { createStatusHandler } from "../../handlers/status.ts";
import { createAlertLog } from "../../local/aws/alerts.ts";
import { createScheduleStore } from "../../local/aws/schedules.ts";
import { startAwsStandIn } from "../../local/aws/stand-in-server.ts";
import { seededRandom } from "../../local/ecs/faults.ts";
import { type LocalOutcome, startEcsEmulator, type TaskStateChangeEvent } from "../../local/ecs/index.ts";
import type { Deps } from "../../src/app/deps.ts";
import { type AwsClients, createClients, type ServiceName } from "../../src/aws/clients.ts";
import { catalogOf } from "../../src/catalog/catalog.ts";
import { loadJobsDir } from "../../src/catalog/read-dir.ts";
import { configFromEnv } from "../../src/config.ts";
import { createDynamoLedger } from "../../src/ledger/dynamo.ts";
import { LAMBDA_CONTEXT } from "../launch.ts";
import { CREDENTIALS, REGION, startRunTable } from "../local-env.ts";
import { countInto, emptyTally, type Tally } from "./counter.ts";

const ACCOUNT = "111122223333";
const TABLE = "ecs-jobs-bench-cost";
const SERVICES: ServiceName[] = ["ecs", "dynamodb", "scheduler", "eventbridge", "sns", "logs"];

export interface Scenario {
  name: string;
  count: number;
  outcome: LocalOutcome;
  /** Alerts on FAILED through EventBridge and this SNS topic. */
  alerts: boolean;
}

export interface RunCost extends Tally {
  status: string;
  events: number;
  failedTasks: number;
  lambdaInvocations: number;
  sqsMessages: number;
  alerts: number;
}

const spec = (s: Scenario) => `description: cost benchmark ${s.name}
task:
  cluster: default
  taskDefinition: cost:1
  launchType: FARGATE
  count: ${s.count}
  network: { subnets: [subnet-0a1b2c3d4e5f60718], securityGroups: [sg-0123456789abcdef0] }
${s.alerts ? `alerts: { on: [FAILED], snsTopicArn: "arn:aws:sns:${REGION}:${ACCOUNT}:ops" }\n` : ""}`;

/**
 * When the task events reach the queue, as a model of ECS's timing (seconds after the launch): a Fargate
 * task's statuses about as far apart as they are in AWS (ENI, image pull, a minute of work, the stop
 * timeout, ENI release), each RunTask call's tasks 1 s after the previous call's, and each task up to
 * 10 s late on all its statuses (tasks of one launch do not move in lockstep). Seeded: the same every run.
 */
const AT: Record<string, number> = {
  PROVISIONING: 0,
  PENDING: 20,
  ACTIVATING: 45,
  RUNNING: 50,
  DEACTIVATING: 110,
  STOPPING: 115,
  DEPROVISIONING: 145,
  STOPPED: 155,
};
export const SPREAD_S = 10;

export interface TimedEvent {
  at: number;
  event: unknown;
}

export function timed(events: readonly TaskStateChangeEvent[], seed = 1): TimedEvent[] {
  const random = seededRandom(seed);
  const offset = new Map<string, number>();
  return events.map((event, i) => {
    const d = event.detail as { taskArn: string; lastStatus: string };
    if (!offset.has(d.taskArn)) offset.set(d.taskArn, Math.floor(offset.size / 10) + random() * SPREAD_S);
    return { at: (AT[d.lastStatus] ?? 0) + (offset.get(d.taskArn) ?? 0) + i * 1e-9, event };
  });
}

/**
 * SQS batches as the event source mapping forms them: a batch opens with the first waiting message and
 * closes after the batching window or at the batch size, whichever comes first.
 */
export function batchesOf(
  events: readonly TimedEvent[],
  windowS: number = TASK_EVENTS.batchingWindowSeconds,
  size: number = TASK_EVENTS.batchSize,
): unknown[][] {
  const sorted = [...events].sort((a, b) => a.at - b.at);
  const batches: unknown[][] = [];
  let open: { start: number; events: unknown[] } | undefined;
  for (const e of sorted) {
    if (!open || e.at >= open.start + windowS || open.events.length >= size) {
      open = { start: e.at, events: [] };
      batches.push(open.events);
    }
    open.events.push(e.event);
  }
  return batches;
}

export async function runCost(scenario: Scenario): Promise<RunCost> {
  logger.setLogLevel("ERROR");
  const events: TaskStateChangeEvent[] = [];
  const emulator = await startEcsEmulator({
    region: REGION,
    accountId: ACCOUNT,
    behaviour: () => ({ outcome: scenario.outcome, durationSeconds: 0 }),
    phaseMs: { provisioning: 1, pending: 1, activating: 1, deactivating: 1, stopping: 1, deprovisioning: 1 },
    onTaskStateChange: (e) => {
      events.push(e);
    },
  });
  emulator.registerTaskDefinition({
    family: "cost",
    networkMode: "awsvpc",
    requiresCompatibilities: ["FARGATE"],
    cpu: "256",
    memory: "512",
    executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/cost-exec`,
    containerDefinitions: [
      {
        name: "app",
        image: "alpine",
        logConfiguration: {
          logDriver: "awslogs",
          options: {
            "awslogs-group": "/ecs/cost",
            "awslogs-region": REGION,
            "awslogs-stream-prefix": "cost",
          },
        },
      },
    ],
  });
  const { url: dynamoUrl, client: plain, close: closeDynamo } = await startRunTable(TABLE);
  const jobsDir = mkdtempSync(join(tmpdir(), "ecs-jobs-bench-cost-"));
  writeFileSync(join(jobsDir, `${scenario.name}.yml`), spec(scenario));
  const { jobs, issues } = loadJobsDir(jobsDir);
  if (issues.length > 0 || !jobs[0]) throw new Error(`cost job spec invalid: ${JSON.stringify(issues)}`);
  const alertLog = createAlertLog();
  const aws = await startAwsStandIn({
    alerts: alertLog,
    schedules: createScheduleStore({
      jobs,
      group: "ecs-jobs",
      region: REGION,
      accountId: ACCOUNT,
      stateFile: join(jobsDir, "schedules.json"),
    }),
    logs: () => [{ timestamp: Date.now(), message: "exit 1" }],
  });
  const config = configFromEnv({ ECS_JOBS_TABLE: TABLE, AWS_REGION: REGION });
  const tally = emptyTally();
  const made: AwsClients[] = [];
  /** Deps of one Lambda container: its own clients (every one counted) and ledger. */
  const container = (): Deps => {
    const clients = createClients(RUN_ACTION_CLIENTS, {
      region: REGION,
      credentials: CREDENTIALS,
      endpoints: {
        ecs: emulator.url,
        dynamodb: dynamoUrl,
        eventbridge: aws.url,
        sns: aws.url,
        logs: aws.url,
        scheduler: aws.url,
      },
    });
    for (const s of SERVICES) countInto(tally, clients[s]);
    made.push(clients);
    return {
      clients,
      ledger: createDynamoLedger(clients.dynamodb, { tableName: TABLE, retentionDays: config.retentionDays }),
      catalog: catalogOf(jobs),
      config,
      now: () => new Date(),
      log: logger,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    };
  };
  try {
    const launcher = container();
    const out = (await createScheduleHandler(async () => launcher)(
      { job: scenario.name, executionId: randomUUID(), scheduledTime: new Date().toISOString() },
      LAMBDA_CONTEXT,
    )) as { outcome: string; runId?: string };
    if (out.outcome !== "launched" || !out.runId) throw new Error(`launch failed: ${JSON.stringify(out)}`);
    const arns = emulator.tasks().map((t) => t.taskArn as string);
    if (arns.length !== scenario.count)
      throw new Error(`${arns.length} tasks started, not ${scenario.count}`);
    await Promise.all(arns.map((arn) => emulator.waitForTask(arn, "STOPPED")));
    await emulator.idle();
    const batches = batchesOf(timed(events));
    const statusDeps = container();
    const status = createStatusHandler(async () => statusDeps);
    let first = 0;
    for (const batch of batches) {
      const answer = (await status(sqsBatch(batch, first), LAMBDA_CONTEXT)) as {
        batchItemFailures: unknown[];
      };
      if (answer.batchItemFailures.length > 0) throw new Error("a batch of task events failed");
      first += batch.length;
    }
    // Checked through an uncounted client: the check is no part of the run's cost.
    const run = await createDynamoLedger(plain, { tableName: TABLE, retentionDays: 1 }).get(out.runId);
    const stopped = run?.tasks.filter((t) => t.lastStatus === "STOPPED").length ?? 0;
    if (stopped !== scenario.count)
      throw new Error(`run ${run?.status} with ${stopped}/${scenario.count} tasks stopped`);
    return {
      ...tally,
      status: run?.status ?? "missing",
      events: events.length,
      failedTasks: scenario.outcome === "succeed" ? 0 : scenario.count,
      lambdaInvocations: 1 + batches.length,
      sqsMessages: events.length,
      alerts: alertLog.list().length,
    };
  } finally {
    for (const c of made) for (const s of SERVICES) c[s].destroy();
    await aws.close();
    await emulator.close();
    await closeDynamo();
    rmSync(jobsDir, { recursive: true, force: true });
  }
}
