/**
 * Deps for CLI commands that touch ECS and the run ledger (`ecs-jobs run`): the running local stack by
 * default, real AWS with `--aws` (region and credentials from the usual AWS environment and profiles).
 *
 * Local endpoints: ECS_JOBS_ECS_ENDPOINT and ECS_JOBS_DYNAMODB_ENDPOINT when set, else what `ecs-jobs dev`
 * wrote in .ecs-jobs/stack.json (ECS_JOBS_DATA_DIR to change the folder).
 * AWS run table: ECS_JOBS_TABLE, else the deployed name `ecs-jobs-<ECS_JOBS_STAGE or dev>-runs`.
 */
import { join, resolve } from "node:path";
import { type ClientConfig, type ClientConstructors, createClients } from "../aws/clients.ts";
import { catalogOf } from "../catalog/catalog.ts";
import { configFromEnv, type Deps, type Log } from "../deps.ts";
import { readLocalStack } from "../local/discovery.ts";
import { createDynamoLedger } from "../runs/ledger-dynamo.ts";
import { CliExit, type CliIo, EXIT_FAILED } from "./context.ts";
import { loadJobs } from "./jobs.ts";

export interface CliDepsOptions {
  aws?: boolean;
  /** The jobs folder (--jobs); default ./jobs. */
  jobsDir?: string;
  now?: () => Date;
}

/** Quiet by default: only warnings (e.g. a throttled call being retried) reach stderr. */
export function cliLog(io: CliIo): Log {
  const none = () => {};
  return {
    debug: none,
    info: none,
    warn: (...args: unknown[]) => io.stderr(`warning: ${String(args[0])}\n`),
    error: (...args: unknown[]) => io.stderr(`error: ${String(args[0])}\n`),
    appendKeys: none,
    removeKeys: none,
  };
}

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(1_500) });
    return true;
  } catch {
    return false;
  }
}

const notRunning = (why: string) =>
  new CliExit(
    EXIT_FAILED,
    `the local stack is not running (${why}); start it with \`ecs-jobs dev\` in another terminal, or pass --aws to use AWS`,
  );

async function localEndpoints(io: CliIo) {
  const env = io.env;
  if (env.ECS_JOBS_ECS_ENDPOINT && env.ECS_JOBS_DYNAMODB_ENDPOINT) {
    return { ecs: env.ECS_JOBS_ECS_ENDPOINT, dynamodb: env.ECS_JOBS_DYNAMODB_ENDPOINT };
  }
  const dataDir = resolve(io.cwd, env.ECS_JOBS_DATA_DIR ?? ".ecs-jobs");
  const stack = readLocalStack(dataDir);
  if (!stack) throw notRunning(`no ${join(dataDir, "stack.json")} and ECS_JOBS_ECS_ENDPOINT is unset`);
  return {
    ecs: stack.ecsUrl,
    dynamodb: stack.dynamodbUrl,
    events: stack.eventsUrl,
    scheduleGroup: stack.scheduleGroup,
    tableName: stack.tableName,
    region: stack.region,
  };
}

/**
 * Imported on use, not at CLI start: `validate`, `list`, `show` and `next` never load the SDK.
 * All six, because a run that fails at launch is acted on here (retry, alert, pause) as in Lambda.
 */
async function sdkConstructors(): Promise<ClientConstructors> {
  const [ecs, dynamodb, scheduler, eventbridge, sns, logs] = await Promise.all([
    import("@aws-sdk/client-ecs"),
    import("@aws-sdk/client-dynamodb"),
    import("@aws-sdk/client-scheduler"),
    import("@aws-sdk/client-eventbridge"),
    import("@aws-sdk/client-sns"),
    import("@aws-sdk/client-cloudwatch-logs"),
  ]);
  return {
    ecs: ecs.ECSClient,
    dynamodb: dynamodb.DynamoDBClient,
    scheduler: scheduler.SchedulerClient,
    eventbridge: eventbridge.EventBridgeClient,
    sns: sns.SNSClient,
    logs: logs.CloudWatchLogsClient,
  };
}

export async function cliDeps(io: CliIo, opts: CliDepsOptions = {}): Promise<Deps> {
  const config = configFromEnv(io.env);
  const jobs = loadJobs(io, opts.jobsDir).jobs;
  let clientConfig: ClientConfig;
  if (opts.aws) {
    config.tableName = io.env.ECS_JOBS_TABLE ?? `ecs-jobs-${io.env.ECS_JOBS_STAGE ?? "dev"}-runs`;
    clientConfig = { region: config.region };
  } else {
    const local = await localEndpoints(io);
    for (const url of [local.ecs, local.dynamodb]) {
      if (!(await answers(url))) throw notRunning(`nothing answers at ${url}`);
    }
    if (local.tableName) config.tableName = local.tableName;
    if (local.region) config.region = local.region;
    if (local.scheduleGroup && !io.env.ECS_JOBS_SCHEDULE_GROUP) config.scheduleGroup = local.scheduleGroup;
    const events = local.events;
    clientConfig = {
      region: config.region,
      endpoints: {
        ecs: local.ecs,
        dynamodb: local.dynamodb,
        ...(events && { scheduler: events, eventbridge: events, sns: events, logs: events }),
      },
      // The local stand-ins accept any credentials; fixed ones keep the SDK from looking for real ones.
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    };
  }
  const clients = createClients(await sdkConstructors(), clientConfig);
  const now = opts.now ?? (() => new Date());
  return {
    clients,
    ledger: createDynamoLedger(clients.dynamodb, {
      tableName: config.tableName,
      retentionDays: config.retentionDays,
      now,
    }),
    catalog: catalogOf(jobs),
    config,
    now,
    log: cliLog(io),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  };
}
