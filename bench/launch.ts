/**
 * Launch overhead: one schedule handler invocation (the Lambda handler with its middy stack, on a Scheduler
 * input) that ends in RunTask against the ECS emulator, against a bare SDK RunTask on the same emulator.
 * Goal ≤ 1.3×, with the run ledger in memory: what this code adds around RunTask. (On dynalite the row
 * measured dynalite; what the ledger costs a run is counted instead, by bench/cost.ts.)
 */
import "./quiet.ts";
import { randomUUID } from "node:crypto";
import { ECSClient, RunTaskCommand, type RunTaskCommandInput } from "@aws-sdk/client-ecs";
import type { Context } from "aws-lambda";
import { MemoryLedger } from "../gen/memory-ledger.ts";
import { createScheduleHandler } from "../handlers/schedule.ts";
import { runTaskRequests } from "../src/jobspec/requests.ts";
import { type Benchmark, median, type Row, round } from "./lib.ts";
import { CREDENTIALS, JOB_NAME, type LocalEnv, REGION, startLocalEnv } from "./local-env.ts";

export const LAMBDA_CONTEXT = {
  functionName: "ecs-jobs-bench",
  functionVersion: "$LATEST",
  invokedFunctionArn: "arn:aws:lambda:eu-west-1:111122223333:function:ecs-jobs-bench",
  memoryLimitInMB: "512",
  awsRequestId: "00000000-0000-4000-8000-000000000000",
  logGroupName: "/aws/lambda/ecs-jobs-bench",
  logStreamName: "bench",
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 30_000,
  done: () => {},
  fail: () => {},
  succeed: () => {},
} as Context;

const time = async (fn: () => Promise<unknown>) => {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
};

/** Alternates subject and baseline `n` times after `warm` unmeasured rounds; medians in ms. */
async function alternate(
  n: number,
  warm: number,
  subject: () => Promise<unknown>,
  base: () => Promise<unknown>,
) {
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < warm + n; i++) {
    const s = await time(subject);
    const t = await time(base);
    if (i >= warm) {
      a.push(s);
      b.push(t);
    }
  }
  return { subject: median(a), base: median(b) };
}

async function measure(env: LocalEnv, quick: boolean): Promise<Row> {
  const deps = env.deps({ ledger: new MemoryLedger() });
  const handler = createScheduleHandler(async () => deps);
  const ecs = new ECSClient({ endpoint: env.emulator.url, region: REGION, credentials: CREDENTIALS });
  // The very request the launcher sends (same job, a fresh run id each time).
  const request = () => runTaskRequests(env.job, `bench-${randomUUID()}`)[0]?.input as RunTaskCommandInput;
  let launched = 0;
  const invoke = async () => {
    const out = (await handler(
      { job: JOB_NAME, executionId: randomUUID(), scheduledTime: new Date().toISOString() },
      LAMBDA_CONTEXT,
    )) as { outcome: string; status?: string };
    if (out.outcome !== "launched" || out.status === "FAILED")
      throw new Error(`launch failed: ${JSON.stringify(out)}`);
    launched++;
  };
  const bare = async () => {
    const out = await ecs.send(new RunTaskCommand(request()));
    if ((out.tasks ?? []).length !== 1)
      throw new Error(`bare RunTask failed: ${JSON.stringify(out.failures)}`);
  };
  const before = env.emulator.tasks().length;
  const { subject, base } = await alternate(quick ? 2 : 300, quick ? 1 : 30, invoke, bare);
  ecs.destroy();
  deps.clients.ecs.destroy();
  const started = env.emulator.tasks().length - before;
  if (started !== 2 * launched)
    throw new Error(`expected ${2 * launched} tasks, the emulator has ${started}`);
  const ratio = subject / base;
  return {
    benchmark: "launch overhead (ledger in memory)",
    baseline: "bare SDK RunTask",
    measured: round(subject),
    base: round(base),
    unit: "ms",
    ratio: round(ratio),
    goal: "≤ 1.3×",
    met: ratio <= 1.3,
  };
}

export const launchBenchmark: Benchmark = {
  name: "launch",
  async run({ quick }) {
    const env = await startLocalEnv();
    try {
      return [await measure(env, quick)];
    } finally {
      await env.close();
    }
  },
};
