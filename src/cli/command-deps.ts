/**
 * Deps for CLI commands that touch ECS and the run ledger (`ecs-jobs run`): the running local stack by
 * default, real AWS with `--aws` (region and credentials from the usual AWS environment and profiles).
 *
 * Local endpoints: ECS_JOBS_ECS_ENDPOINT and ECS_JOBS_DYNAMODB_ENDPOINT when set, else what `ecs-jobs dev`
 * wrote in .ecs-jobs/stack.json (ECS_JOBS_DATA_DIR to change the folder).
 * AWS: the run table and schedule group of the deployment aws-target.ts resolves (flags, stack outputs or
 * the environment).
 */
import { join, resolve } from "node:path";
import {
  type ClientConfig,
  type ClientConstructors,
  createClients,
  type ServiceName,
} from "../aws/clients.ts";
import { catalogOf } from "../catalog/catalog.ts";
import { configFromEnv } from "../config.ts";
import { createDynamoLedger } from "../ledger/dynamo.ts";
import type { Log } from "../log.ts";
import { type AwsTarget, type AwsTargetFlags, resolveAwsTarget } from "./aws-target.ts";
import type { CliDeps } from "./commands/lazy-deps.ts";
import { CliExit, type CliIo, EXIT_FAILED } from "./context.ts";
import { loadJobs } from "./jobs.ts";
import { DEFAULT_DATA_DIR, readLocalStack } from "./local-stack-file.ts";

export interface CliDepsOptions {
  aws?: boolean;
  /** Which deployment (--stage, --stack, --region); only with aws. */
  target?: AwsTargetFlags;
  /** The jobs folder (--jobs); default ./jobs. */
  jobsDir?: string;
  now?: () => Date;
  /** The SDK clients to load now (default: all six); others must be loaded with loadSdkClients before use. */
  clients?: readonly ServiceName[];
  /** Where `ecs-jobs dev --data-dir` keeps the local stack (--data-dir); default ECS_JOBS_DATA_DIR or .ecs-jobs. */
  dataDir?: string;
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

/**
 * Whether anything answers HTTP at `url` (any status). node:http rather than fetch: the SDK loads http
 * anyway, while fetch would load undici (Node's fetch), a sixth of `ecs-jobs run`'s start-up.
 */
async function answers(url: string): Promise<boolean> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return false;
  }
  // getBuiltinModule, not import(): an ES import of node:http reads its lazy WebSocket export, loading undici.
  const { get } = process.getBuiltinModule(target.protocol === "https:" ? "node:https" : "node:http");
  return new Promise((resolveAnswer) => {
    try {
      const req = get(target, { timeout: 1_500, agent: false }, (res) => {
        res.resume();
        resolveAnswer(true);
      });
      req.once("timeout", () => req.destroy(new Error("timeout")));
      req.once("error", () => resolveAnswer(false));
    } catch {
      resolveAnswer(false);
    }
  });
}

const notRunning = (why: string) =>
  new CliExit(
    EXIT_FAILED,
    `the local stack is not running (${why}); start it with \`ecs-jobs dev\` in another terminal ` +
      "(`ecs-jobs dev` prints its data folder; give the same --data-dir here if it is not .ecs-jobs in this folder), " +
      "or pass --aws to use AWS",
  );

async function localEndpoints(io: CliIo, dataDirOption: string | undefined) {
  const env = io.env;
  if (!dataDirOption && env.ECS_JOBS_ECS_ENDPOINT && env.ECS_JOBS_DYNAMODB_ENDPOINT) {
    return { ecs: env.ECS_JOBS_ECS_ENDPOINT, dynamodb: env.ECS_JOBS_DYNAMODB_ENDPOINT };
  }
  const dataDir = resolve(io.cwd, dataDirOption ?? env.ECS_JOBS_DATA_DIR ?? DEFAULT_DATA_DIR);
  const stack = readLocalStack(dataDir);
  if (!stack) throw notRunning(`no ${join(dataDir, "stack.json")} and ECS_JOBS_ECS_ENDPOINT is unset`);
  return {
    ecs: stack.ecsUrl,
    dynamodb: stack.dynamodbUrl,
    events: stack.eventsUrl,
    scheduleGroup: stack.scheduleGroup,
    tableName: stack.tableName,
    region: stack.region,
    credentials: stack.credentials,
  };
}

/**
 * The exports of a dynamically imported CommonJS package (the SDK clients). Node gives named exports found by
 * lexing the file and `default` (module.exports); the CLI bundle (scripts/build-cli.js) gives `default` only.
 */
const cjsExports = <T extends object>(namespace: T): T => (namespace as { default?: T }).default ?? namespace;

/**
 * The SDK client constructors loaded so far, shared by every Deps this process builds: createClients reads a
 * constructor when its client is first used, so one loaded later (loadSdkClients) is found then.
 */
const constructors: ClientConstructors = {};

/** Imported on use, not at CLI start: `validate`, `list`, `show` and `next` never load the SDK. */
const SDK_LOADERS: Record<ServiceName, () => Promise<void>> = {
  ecs: async () => {
    constructors.ecs = cjsExports(await import("@aws-sdk/client-ecs")).ECSClient;
  },
  dynamodb: async () => {
    constructors.dynamodb = cjsExports(await import("@aws-sdk/client-dynamodb")).DynamoDBClient;
  },
  scheduler: async () => {
    constructors.scheduler = cjsExports(await import("@aws-sdk/client-scheduler")).SchedulerClient;
  },
  eventbridge: async () => {
    constructors.eventbridge = cjsExports(await import("@aws-sdk/client-eventbridge")).EventBridgeClient;
  },
  sns: async () => {
    constructors.sns = cjsExports(await import("@aws-sdk/client-sns")).SNSClient;
  },
  logs: async () => {
    constructors.logs = cjsExports(await import("@aws-sdk/client-cloudwatch-logs")).CloudWatchLogsClient;
  },
};

const ALL_SDK_CLIENTS = Object.keys(SDK_LOADERS) as ServiceName[];

/** Loads the constructors of `names` not loaded yet (each SDK client package is a large import). */
export async function loadSdkClients(names: readonly ServiceName[] = ALL_SDK_CLIENTS): Promise<void> {
  await Promise.all(names.filter((n) => constructors[n] === undefined).map((n) => SDK_LOADERS[n]()));
}

export async function cliDeps(io: CliIo, opts: CliDepsOptions = {}): Promise<CliDeps> {
  const config = configFromEnv(io.env);
  const jobs = loadJobs(io, opts.jobsDir).jobs;
  let clientConfig: ClientConfig;
  let awsTarget: AwsTarget | undefined;
  if (opts.aws) {
    awsTarget = await resolveAwsTarget(io, opts.target ?? {});
    config.tableName = awsTarget.tableName;
    // Also where a failed launch's pause check looks: the deployed group, never the local default.
    config.scheduleGroup = awsTarget.scheduleGroup;
    config.region = awsTarget.region;
    clientConfig = { region: config.region };
  } else {
    const local = await localEndpoints(io, opts.dataDir);
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
      // The stack's own (its run ledger answers no other); fixed ones keep the SDK from looking for real
      // ones where the endpoints come from the environment.
      credentials: local.credentials ?? { accessKeyId: "local", secretAccessKey: "local" },
    };
  }
  await loadSdkClients(opts.clients);
  const clients = createClients(constructors, clientConfig);
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
    ...(awsTarget && { awsTarget }),
  };
}
