/**
 * The local stack as the scale benchmarks use it: the real handlers, dynalite and the ECS emulator with
 * Fargate's RunTask limits enforced (and the handlers pacing to them), on the wall clock. Jobs are Fargate
 * jobs in one cluster whose tasks run a few seconds, so that their events reach the status handler.
 */
import "./quiet.ts";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, paginateScan } from "@aws-sdk/lib-dynamodb";
import { itemSize } from "../gen/memory-storage.ts";
import { type LocalStack, startLocalStack } from "../local/stack.ts";
import { readLocalStack } from "../src/cli/local-stack-file.ts";
import { encodeRun } from "../src/ledger/run-codec.ts";
import type { Run } from "../src/runs/model.ts";

/** The documented Fargate figures the emulator enforces (local/ecs/rate-limits.ts). */
const TASK_BURST = 100;
const TASKS_PER_SECOND = 20;
const CALL_BURST = 20;
const CALLS_PER_SECOND = 20;

/** The least time the limits allow for `tasks` tasks in `calls` RunTask calls, in seconds. */
export const minimumSeconds = (tasks: number, calls: number): number =>
  Math.max((tasks - TASK_BURST) / TASKS_PER_SECOND, (calls - CALL_BURST) / CALLS_PER_SECOND, 0);

export const jobSpec = (o: {
  count: number;
  schedule?: string;
}): string => `${o.schedule ? `schedule:\n  expression: ${o.schedule}\n` : ""}http: { allowOverrides: [count] }
task:
  cluster: scale
  taskDefinition: scale
  launchType: FARGATE
  count: ${o.count}
  network: { subnets: [subnet-0abc] }
local: { outcome: succeed, durationSeconds: 2 }
`;

export interface ScaleStack {
  stack: LocalStack;
  post(path: string, body?: unknown): Promise<{ status: number; body: Run }>;
  get<T>(path: string): Promise<T>;
  close(): Promise<void>;
}

export async function startScaleStack(jobs: Record<string, string>): Promise<ScaleStack> {
  const dir = mkdtempSync(join(tmpdir(), "ecs-jobs-scale-"));
  const jobsDir = join(dir, "jobs");
  mkdirSync(jobsDir);
  for (const [name, text] of Object.entries(jobs)) writeFileSync(join(jobsDir, `${name}.yml`), text);
  const stack = await startLocalStack({
    jobsDir,
    dataDir: join(dir, ".ecs-jobs"),
    port: 0,
    token: "scale-bench-token-0123456789",
    log: () => {},
    logLevel: "error",
    autoCreateClusters: true,
    watchJobs: false,
    // stack.json in the data dir: the ledger's credentials and table, for runItems.
    rateLimits: true,
  });
  const call = async <T>(method: string, path: string, body?: unknown) => {
    const res = await fetch(`${stack.httpUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${stack.token}`, "content-type": "application/json" },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  return {
    stack,
    post: (path, body) => call<Run>("POST", path, body ?? {}),
    get: async <T>(path: string) => (await call<T>("GET", path)).body,
    async close() {
      await stack.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * RunTask calls the emulator answered 200, and the tasks it started (each ARN once, by construction).
 * Counted without building each task's view: the fan-out polls this every 100 ms on the stack's own event
 * loop, and views of every task per poll (a 2,000-task wall-clock fan-out: 18 s of its 100 s of CPU in
 * taskView) grew with the tasks and the run's length, taking time from the handlers being measured.
 */
export function launched(stack: LocalStack): { calls: number; tasks: number } {
  const ok = stack.emulator.calls().filter((c) => c.operation === "RunTask" && c.status === 200);
  return { calls: ok.length, tasks: stack.emulator.taskCount() };
}

/** Waits (polling every `everyMs`, 100 by default) until `done`; throws after `timeoutMs`. */
export async function until(
  done: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
  everyMs = 100,
) {
  const end = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > end) throw new Error(`scale bench: ${what} not reached after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The run's item as DynamoDB counts it: the stored (possibly compressed) run plus ~300 B of keys. */
export function itemBytes(run: Run): number {
  const stored = encodeRun(run);
  return (stored.runz ? stored.runz.byteLength : Buffer.byteLength(JSON.stringify(stored.run))) + 300;
}

/**
 * The items the local ledger holds for a run, as DynamoDB counts their size: the run item, its task parts
 * (`TASKS#`) and placements (`TASKPART#`) when its tasks are stored in parts (src/ledger/task-parts.ts).
 * What the 400 KB limit applies to is each of them, not the run as the API shows it.
 */
export async function runItems(stack: LocalStack, runId: string) {
  const info = readLocalStack(stack.dataDir);
  if (!info?.credentials) throw new Error(`scale bench: no ledger credentials in ${stack.dataDir}`);
  const client = new DynamoDBClient({
    endpoint: info.dynamodbUrl,
    region: info.region,
    credentials: info.credentials,
  });
  try {
    const table = info.tableName;
    const out = { run: 0, largestPart: 0, parts: 0, placements: 0 };
    const documents = DynamoDBDocumentClient.from(client);
    for await (const page of paginateScan({ client: documents }, { TableName: table })) {
      for (const item of page.Items ?? []) {
        const pk = String(item.pk);
        const size = itemSize(item);
        if (pk === `RUN#${runId}`) out.run = size;
        else if (pk.startsWith(`TASKS#${runId}#`)) {
          out.parts++;
          out.largestPart = Math.max(out.largestPart, size);
        } else if (pk.startsWith(`TASKPART#${runId}#`)) out.placements++;
      }
    }
    return out;
  } finally {
    client.destroy();
  }
}
