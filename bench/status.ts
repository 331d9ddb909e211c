/**
 * Status throughput: task state change events (mixed order, 10% duplicates) through the status Lambda handler
 * into the DynamoDB run ledger on dynalite, against a bare UpdateItem loop of the same count on the same
 * dynalite. Goal ≥ 0.7× its rate; every run's final state is checked, and the DynamoDB calls per event are
 * counted. The runs are created through another ledger instance (the launcher's Lambda container), so the
 * status handler's ledger starts with an empty cache and reads each run once, as a fresh container would.
 */
import "./quiet.ts";
import { randomUUID } from "node:crypto";
import { type DynamoDBClient, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { TASK_EVENTS } from "../deploy/stack.ts";
import { shuffled, sqsBatch, type TaskStatus, taskArnFor, taskLifecycle } from "../gen/task-events.ts";
import { createStatusHandler } from "../handlers/status.ts";
import { seededRandom } from "../local/ecs/faults.ts";
import { runTaskStartedBy } from "../src/jobspec/requests.ts";
import type { RunLedger } from "../src/ledger/ledger.ts";
import type { Run } from "../src/runs/model.ts";
import { runIdFor } from "../src/runs/run-id.ts";
import { LAMBDA_CONTEXT } from "./launch.ts";
import { type Benchmark, median, round } from "./lib.ts";
import { JOB_NAME, type LocalEnv, startLocalEnv, TABLE } from "./local-env.ts";

/** The deployed batch size. */
const BATCH = TASK_EVENTS.batchSize;

export interface Workload {
  runs: Run[];
  events: unknown[];
}

/**
 * `count` events: whole Fargate task lifecycles (4 events each, one task per run) for 90% of them, shuffled
 * across and within tasks, and 10% duplicates of random ones at random places.
 */
export function workload(count: number, seed: number): Workload {
  const random = seededRandom(seed); // the same "random" order on every run of the benchmark
  const unique = Math.ceil((count * 0.9) / 4) * 4;
  const createdAt = new Date().toISOString();
  const runs: Run[] = [];
  const events: unknown[] = [];
  for (let i = 0; events.length < unique; i++) {
    // One fire time per run: a scheduled run's id derives from its fire time (src/runs/run-id.ts), so runs
    // sharing one would be one run.
    const trigger = {
      kind: "schedule" as const,
      id: `${seed}-${i}-${randomUUID()}`,
      scheduledTime: new Date(Date.parse(createdAt) - i * 60_000).toISOString(),
    };
    const runId = runIdFor(JOB_NAME, trigger, new Date(createdAt));
    runs.push({
      runId,
      job: JOB_NAME,
      status: "PENDING",
      trigger,
      attempt: 1,
      lineageId: runId,
      createdAt,
      expectedTasks: 1,
      failures: [],
      tasks: [],
    });
    events.push(
      ...taskLifecycle({
        taskArn: taskArnFor(`${runId}/0`),
        startedBy: runTaskStartedBy(JOB_NAME, runId),
        createdAt,
      }),
    );
  }
  const mixed = shuffled(events, random);
  while (mixed.length < count)
    mixed.splice(Math.floor(random() * mixed.length), 0, mixed[Math.floor(random() * unique)]);
  return { runs, events: mixed.slice(0, count) };
}

/** Counts the DynamoDB commands a client sends, by name. */
function countCommands(client: DynamoDBClient): Map<string, number> {
  const counts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => (args) => {
      const name = String(context.commandName);
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: "initialize", name: "benchCountCommands" },
  );
  return counts;
}

async function checkFinal(ledger: RunLedger, runs: readonly Run[]): Promise<void> {
  for (const r of runs) {
    const run = await ledger.get(r.runId);
    const task = run?.tasks[0];
    if (run?.status !== "SUCCEEDED" || run.tasks.length !== 1 || task?.lastStatus !== "STOPPED")
      throw new Error(`run ${r.runId} ended ${run?.status} with ${JSON.stringify(run?.tasks)}`);
  }
}

const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

/** The events as the deployed function gets them from its queue: SQS batches of `size`, in order. */
export function sqsBatches(events: readonly unknown[], size: number): unknown[] {
  const batches: unknown[] = [];
  for (let i = 0; i < events.length; i += size) batches.push(sqsBatch(events.slice(i, i + size), i));
  return batches;
}

/** `batch` 0: one invocation per event (a rule targeting the function); else SQS batches of that size. */
async function handlerRound(env: LocalEnv, count: number, seed: number, batch = 0) {
  const launcher = env.deps();
  const { runs, events } = workload(count, seed);
  for (const run of runs) await launcher.ledger.create(run);
  launcher.clients.dynamodb.destroy();
  const deps = env.deps();
  const counts = countCommands(deps.clients.dynamodb);
  const handler = createStatusHandler(async () => deps);
  const invocations = batch > 0 ? sqsBatches(events, batch) : events;
  const start = process.hrtime.bigint();
  for (const event of invocations) {
    const answer = (await handler(event, LAMBDA_CONTEXT)) as { batchItemFailures: unknown[] } | undefined;
    if (answer && answer.batchItemFailures.length > 0)
      throw new Error(`${answer.batchItemFailures.length} events of a batch failed`);
  }
  const rate = events.length / seconds(start);
  const perEvent = Object.fromEntries([...counts].map(([k, v]) => [k, round(v / events.length, 3)]));
  await checkFinal(deps.ledger, runs);
  deps.clients.dynamodb.destroy();
  return { rate, perEvent };
}

async function bareRound(env: LocalEnv, count: number, seed: number) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++)
    await env.dynamo.send(
      new UpdateItemCommand({
        TableName: TABLE,
        Key: { pk: { S: `bench#${seed}#${i % 2500}` } },
        UpdateExpression: "SET #s = :s, #v = :v",
        ExpressionAttributeNames: { "#s": "lastStatus", "#v": "version" },
        ExpressionAttributeValues: { ":s": { S: "RUNNING" satisfies TaskStatus }, ":v": { N: String(i) } },
      }),
    );
  return count / seconds(start);
}

export const statusBenchmark: Benchmark = {
  name: "status",
  async run({ quick }) {
    const count = quick ? 40 : Number(process.env.BENCH_STATUS_EVENTS ?? 10_000);
    const rounds = quick ? 1 : 3;
    const env = await startLocalEnv();
    try {
      const a: number[] = [];
      const batched: number[] = [];
      const b: number[] = [];
      let perEvent: Record<string, number> = {};
      let perEventBatched: Record<string, number> = {};
      for (let i = 0; i < rounds; i++) {
        const h = await handlerRound(env, count, i + 1);
        a.push(h.rate);
        perEvent = h.perEvent;
        b.push(await bareRound(env, count, i + 1));
        const q = await handlerRound(env, count, 100 + i, BATCH);
        batched.push(q.rate);
        perEventBatched = q.perEvent;
      }
      const subject = median(a);
      const base = median(b);
      const ratio = subject / base;
      const batchRatio = median(batched) / base;
      const calls = (per: Record<string, number>) =>
        Object.entries(per)
          .map(([k, v]) => `${k.replace("Command", "")} ${v}`)
          .join(", ");
      return [
        {
          benchmark: `status throughput (${count} events)`,
          baseline: `bare UpdateItem loop (${count})`,
          measured: round(subject, 0),
          base: round(base, 0),
          unit: "events/s",
          ratio: round(ratio),
          goal: "≥ 0.7×",
          met: ratio >= 0.7,
          notes: `DynamoDB calls per event: ${calls(perEvent)}; every run checked SUCCEEDED with its task STOPPED.`,
        },
        {
          benchmark: `status throughput (${count} events, SQS batches of ${BATCH}, as deployed)`,
          baseline: `bare UpdateItem loop (${count})`,
          measured: round(median(batched), 0),
          base: round(base, 0),
          unit: "events/s",
          ratio: round(batchRatio),
          goal: "≥ 0.7×",
          met: batchRatio >= 0.7,
          notes: `DynamoDB calls per event: ${calls(perEventBatched)}; every run checked SUCCEEDED with its task STOPPED.`,
        },
      ];
    } finally {
      await env.close();
    }
  },
};
