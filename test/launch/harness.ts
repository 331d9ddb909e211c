/**
 * Shared by the launcher, HTTP and handler tests: Deps around an ECS client mocked with aws-sdk-client-mock,
 * the in-memory ledger, a recording logger and a fake sleep; plus ECS answers shaped like the real API's.
 */
import "aws-sdk-client-mock-vitest/extend";
import { join } from "node:path";
import { ECSClient, RunTaskCommand, type RunTaskCommandInput, type Task } from "@aws-sdk/client-ecs";
import type { AwsClientStub } from "aws-sdk-client-mock";
import { MemoryLedger } from "../../gen/memory-ledger.ts";
import type { Deps } from "../../src/app/deps.ts";
import { createClients } from "../../src/aws/clients.ts";
import { catalogOf } from "../../src/catalog/catalog.ts";
import { loadJobsDir } from "../../src/catalog/read-dir.ts";
import { DEFAULT_CONFIG } from "../../src/config.ts";
import type { Job } from "../../src/jobspec/schema.ts";
import type { Log } from "../../src/log.ts";

export const ROOT = join(import.meta.dirname, "..", "..");
export const NOW = new Date("2026-03-10T12:00:00.000Z");

/** The example jobs of the repository (jobs/), the ones `ecs-jobs show` prints in the CLI tests. */
export function exampleJobs(): Job[] {
  const { jobs, issues } = loadJobsDir(join(ROOT, "jobs"), ROOT);
  if (issues.length > 0)
    throw new Error(`example jobs are invalid: ${issues.map((i) => i.message).join("; ")}`);
  return jobs;
}

export function exampleJob(name: string): Job {
  const job = exampleJobs().find((j) => j.name === name);
  if (!job) throw new Error(`no example job ${name}`);
  return job;
}

export interface LogLine {
  level: "debug" | "info" | "warn" | "error";
  message: string;
  extra: unknown[];
}

export function recordingLog(
  lines: LogLine[] = [],
): Log & { lines: LogLine[]; keys: Record<string, unknown> } {
  const keys: Record<string, unknown> = {};
  const at =
    (level: LogLine["level"]) =>
    (message: unknown, ...extra: unknown[]) => {
      lines.push({ level, message: String(message), extra });
    };
  return {
    lines,
    keys,
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    appendKeys: (k: Record<string, unknown>) => {
      Object.assign(keys, k);
    },
    removeKeys: () => {},
  } as Log & { lines: LogLine[]; keys: Record<string, unknown> };
}

export interface TestDeps extends Deps {
  ledger: MemoryLedger;
  log: ReturnType<typeof recordingLog>;
  sleeps: number[];
}

/** Deps whose ECS client is whatever `mockClient(ECSClient)` set up in the calling test file. */
export function testDeps(jobs: readonly Job[] = exampleJobs(), now: Date = NOW): TestDeps {
  const sleeps: number[] = [];
  return {
    clients: createClients(
      { ecs: ECSClient },
      { region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } },
    ),
    ledger: new MemoryLedger(),
    catalog: catalogOf(jobs),
    config: DEFAULT_CONFIG,
    now: () => now,
    log: recordingLog(),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    sleeps,
  };
}

let serial = 0;

/** A task as RunTask/StartTask return it: just created, PROVISIONING (Fargate) or PENDING (EC2). */
export function ecsTask(
  o: { cluster?: string; startedBy?: string; containers?: string[]; lastStatus?: string } = {},
): Task {
  serial += 1;
  const id = serial.toString(16).padStart(32, "0");
  const taskArn = `arn:aws:ecs:us-east-1:111122223333:task/${o.cluster ?? "reports"}/${id}`;
  return {
    taskArn,
    clusterArn: `arn:aws:ecs:us-east-1:111122223333:cluster/${o.cluster ?? "reports"}`,
    taskDefinitionArn: "arn:aws:ecs:us-east-1:111122223333:task-definition/report:7",
    lastStatus: o.lastStatus ?? "PROVISIONING",
    desiredStatus: "RUNNING",
    ...(o.startedBy && { startedBy: o.startedBy }),
    containers: (o.containers ?? ["app"]).map((name) => ({ name, taskArn, lastStatus: "PENDING" })),
  };
}

/** RunTask places every task asked for (as ECS does for a valid request with capacity). */
export function placeAll(ecs: AwsClientStub<ECSClient>, cluster = "reports"): void {
  ecs.on(RunTaskCommand).callsFake((input: RunTaskCommandInput) => ({
    tasks: Array.from({ length: input.count ?? 1 }, () => ecsTask({ cluster })),
    failures: [],
  }));
}

/** An AWS SDK service error as the SDK throws it. */
export function awsError(name: string, status: number, message = `${name} message`): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: status >= 500 ? "server" : "client",
    $metadata: { httpStatusCode: status },
  });
}

/** A Lambda context good enough for middy and the Powertools middleware. */
export const lambdaContext = {
  functionName: "ecs-jobs-test",
  functionVersion: "$LATEST",
  invokedFunctionArn: "arn:aws:lambda:us-east-1:111122223333:function:ecs-jobs-test",
  memoryLimitInMB: "512",
  awsRequestId: "c0ffee00-0000-4000-8000-000000000000",
  logGroupName: "/aws/lambda/ecs-jobs-test",
  logStreamName: "2026/03/10/[$LATEST]0000",
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 30_000,
  done: () => {},
  fail: () => {},
  succeed: () => {},
};
