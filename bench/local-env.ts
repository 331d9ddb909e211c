/**
 * What the launch, status and CLI benchmarks run against: the ECS emulator and dynalite (in memory, with the
 * run table from RUN_TABLE_DEFINITION), a jobs folder with one Fargate job, and handler Deps built the way
 * handlers/runtime.ts builds them, only pointed at these local endpoints.
 */
import "./quiet.ts";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import dynalite from "dynalite";
import { RUN_ACTION_CLIENTS } from "../handlers/run-action-clients.ts";
import { logger } from "../handlers/runtime.ts";
import { ensureTable } from "../local/dynamo.ts";
import { type EcsEmulator, startEcsEmulator } from "../local/ecs/index.ts";
import { closeServer } from "../local/net.ts";
import type { Deps } from "../src/app/deps.ts";
import { createClients } from "../src/aws/clients.ts";
import { catalogOf } from "../src/catalog/catalog.ts";
import { loadJobsDir } from "../src/catalog/read-dir.ts";
import { configFromEnv } from "../src/config.ts";
import type { Job } from "../src/jobspec/schema.ts";
import { createDynamoLedger, RUN_TABLE_DEFINITION } from "../src/ledger/dynamo.ts";
import type { RunLedger } from "../src/ledger/ledger.ts";

export const JOB_NAME = "bench-job";
export const REGION = "eu-west-1";
export const TABLE = "ecs-jobs-bench-runs";
export const CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };

const JOB_SPEC = `description: benchmark job
schedule:
  expression: rate(5 minutes)
task:
  cluster: default
  taskDefinition: bench:1
  launchType: FARGATE
  network:
    subnets: [subnet-0a1b2c3d4e5f60718]
    securityGroups: [sg-0123456789abcdef0]
  overrides:
    containers:
      - name: app
        command: [run, --bench]
policy:
  concurrency: allow
`;

export interface LocalEnv {
  emulator: EcsEmulator;
  dynamoUrl: string;
  jobsDir: string;
  job: Job;
  /** A DynamoDB client on dynalite (for baselines and checks). */
  dynamo: DynamoDBClient;
  /** Env for a child `ecs-jobs run`: the local endpoints, the table and region. */
  cliEnv: NodeJS.ProcessEnv;
  /** Handler Deps as lambdaDeps builds them, on the local endpoints; `ledger` replaces the DynamoDB one. */
  deps(options?: { ledger?: RunLedger }): Deps;
  close(): Promise<void>;
}

/** dynalite in memory on a free port, with the run table `table`: its URL, a client on it, and its stop. */
export async function startRunTable(
  table: string,
): Promise<{ url: string; client: DynamoDBClient; close(): Promise<void> }> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({ endpoint: url, region: REGION, credentials: CREDENTIALS });
  await ensureTable(client, table, RUN_TABLE_DEFINITION);
  return {
    url,
    client,
    async close() {
      client.destroy();
      await closeServer(server, 10_000);
    },
  };
}

export async function startLocalEnv(): Promise<LocalEnv> {
  // The handlers' own logger, as in Lambda, but at WARN: INFO would print a JSON line per event here.
  logger.setLogLevel("WARN");
  // Tasks run for an hour: nothing changes state while a benchmark measures (no events are delivered).
  const emulator = await startEcsEmulator({
    region: REGION,
    behaviour: () => ({ outcome: "succeed", durationSeconds: 3600 }),
  });
  emulator.registerTaskDefinition({
    family: "bench",
    networkMode: "awsvpc",
    requiresCompatibilities: ["FARGATE"],
    cpu: "256",
    memory: "512",
    containerDefinitions: [{ name: "app", image: "alpine" }],
  });
  const { url: dynamoUrl, client: dynamo, close: closeDynamo } = await startRunTable(TABLE);

  const jobsDir = mkdtempSync(join(tmpdir(), "ecs-jobs-bench-jobs-"));
  writeFileSync(join(jobsDir, `${JOB_NAME}.yml`), JOB_SPEC);
  const { jobs, issues } = loadJobsDir(jobsDir);
  const job = jobs[0];
  if (!job || issues.length > 0) throw new Error(`bench job spec invalid: ${JSON.stringify(issues)}`);

  const env = { ECS_JOBS_TABLE: TABLE, AWS_REGION: REGION };
  return {
    emulator,
    dynamoUrl,
    jobsDir,
    job,
    dynamo,
    cliEnv: {
      ...process.env,
      ...env,
      ECS_JOBS_ECS_ENDPOINT: emulator.url,
      ECS_JOBS_DYNAMODB_ENDPOINT: dynamoUrl,
    },
    deps(options = {}) {
      const config = configFromEnv(env);
      const clients = createClients(RUN_ACTION_CLIENTS, {
        region: REGION,
        endpoints: { ecs: emulator.url, dynamodb: dynamoUrl },
        credentials: CREDENTIALS,
      });
      const ledger =
        options.ledger ??
        createDynamoLedger(clients.dynamodb, { tableName: TABLE, retentionDays: config.retentionDays });
      return {
        clients,
        ledger,
        catalog: catalogOf([job]),
        config,
        now: () => new Date(),
        log: logger,
        sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      };
    },
    async close() {
      await emulator.close();
      await closeDynamo();
      rmSync(jobsDir, { recursive: true, force: true });
    },
  };
}
