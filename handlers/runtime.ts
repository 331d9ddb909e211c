/**
 * What every Lambda handler shares: the Powertools logger, the middy stack (Lambda context in the logs,
 * per-invocation keys reset, errors logged once and rethrown so Lambda's retry and DLQ see them), and the
 * Deps built from the environment on first use — not at import, so a cold start that fails to read the
 * catalogue or reach DynamoDB fails an invocation with a logged reason instead of the module load.
 */
import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy, { type MiddlewareObj } from "@middy/core";
import type { Context } from "aws-lambda";
import type { Deps } from "../src/app/deps.ts";
import { type ClientConstructors, createClients, RETRY } from "../src/aws/clients.ts";
import { sqsRetryTimer } from "../src/aws/retry-queue.ts";
import {
  CATALOG_FILE_NAME,
  type Catalog,
  type CatalogFile,
  catalogFromFile,
} from "../src/catalog/catalog.ts";
import { configFromEnv } from "../src/config.ts";
import { EcsJobsError } from "../src/errors.ts";
import { type CredentialProvider, launchersFromEnv } from "../src/launch/launcher-credentials.ts";
import { createRunTaskPacer } from "../src/launch/runtask-pacer.ts";
import { createDynamoLedger } from "../src/ledger/dynamo.ts";
import { emfMetricSink } from "../src/metrics/emf.ts";
import { metricsOnTransitions } from "../src/runs/metrics.ts";
import { withRunEndLog } from "../src/runs/run-end-log.ts";

export const logger = new Logger({ serviceName: "ecs-jobs" });

type Env = Record<string, string | undefined>;

/** ECS_JOBS_CATALOG (relative to the function root), else jobs.json at the root or beside this bundle. */
export function catalogPath(env: Env = process.env): string {
  const root = env.LAMBDA_TASK_ROOT ?? process.cwd();
  const given = env.ECS_JOBS_CATALOG;
  if (given) return isAbsolute(given) ? given : resolve(root, given);
  const candidates = [resolve(root, CATALOG_FILE_NAME), join(import.meta.dirname, CATALOG_FILE_NAME)];
  return candidates.find((p) => existsSync(p)) ?? (candidates[0] as string);
}

export function readCatalog(path: string): Catalog {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new EcsJobsError(
      "CatalogMissing",
      `cannot read the job catalogue ${path}: ${(error as Error).message}`,
    );
  }
  return catalogFromFile(JSON.parse(text) as CatalogFile);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Time a launching invocation keeps at the end for its last RunTask call (the SDK's 3 attempts) and the
 * ledger writes after it; the batches it could not send by then are continued by the sweeper.
 */
export const LAUNCH_MARGIN_MS = 10_000;

/** When a launching invocation stops sending batches: before Lambda would cut it off mid-way. */
export const launchStopBy = (context: Pick<Context, "getRemainingTimeInMillis">, now = Date.now()): Date =>
  new Date(now + Math.max(0, context.getRemainingTimeInMillis() - LAUNCH_MARGIN_MS));

/**
 * Deps for a handler, built once per Lambda container on first call. Only the client constructors given
 * are bundled; the ledger needs `dynamodb`.
 */
export function lambdaDeps(ctors: ClientConstructors, env: Env = process.env): () => Promise<Deps> {
  let deps: Promise<Deps> | undefined;
  return () => {
    deps ??= (async () => {
      const config = configFromEnv(env);
      const clients = createClients(ctors, { region: config.region });
      const catalog = readCatalog(catalogPath(env));
      const ledger = createDynamoLedger(clients.dynamodb, {
        tableName: config.tableName,
        retentionDays: config.retentionDays,
        // Every handler that can end a run (status, sweeper, and the launchers at launch failure) logs and
        // counts it.
        transitions: withRunEndLog(logger, metricsOnTransitions(emfMetricSink(logger))),
      });
      const retryQueue = env.ECS_JOBS_RETRY_QUEUE;
      // Only in a deployment whose launch grants outgrew the function roles (deploy/launchers.ts).
      const launchers = launchersFromEnv(catalog.launcherRoles, env, {
        sts: { region: config.region, maxAttempts: RETRY.maxAttempts },
        ecsClient: (credentials) => launcherEcsClient(ctors, config.region, credentials),
      });
      return {
        // One per container: its launches share ECS's RunTask rate instead of throttling each other.
        runTaskPacer: createRunTaskPacer({ now: () => Date.now(), sleep }),
        clients,
        ledger,
        catalog,
        config,
        now: () => new Date(),
        log: logger,
        sleep,
        ...(retryQueue && { retryTimer: sqsRetryTimer(retryQueue, config.region) }),
        ...(launchers && { launchers }),
      };
    })().catch((error: unknown) => {
      deps = undefined;
      throw error;
    });
    return deps;
  };
}

/** An ECS client of one launcher role: the handler's constructor and the one retry policy, other credentials. */
function launcherEcsClient(ctors: ClientConstructors, region: string, credentials: CredentialProvider) {
  const Ecs = ctors.ecs;
  if (!Ecs) throw new Error("launcher roles need the ecs client constructor");
  return new Ecs({ region, credentials, retryMode: RETRY.mode, maxAttempts: RETRY.maxAttempts });
}

/** Logs a failed invocation once, with its error, and lets middy rethrow it. */
export const logErrors = (log: Pick<Logger, "error">): MiddlewareObj => ({
  onError: (request) => {
    const error = request.error;
    if (error instanceof Error) log.error("invocation failed", error);
    else log.error("invocation failed", { error: String(error) });
  },
});

/**
 * The id that follows one trigger through the logs: the Scheduler execution id (the same on Scheduler's
 * retries), the API Gateway request id, or the EventBridge event id (task and instance events, classic
 * rules). Undefined for anything else; the handlers drop such events anyway.
 */
export function correlationIdOf(event: unknown): string | undefined {
  if (typeof event !== "object" || event === null) return undefined;
  const e = event as { executionId?: unknown; id?: unknown; requestContext?: { requestId?: unknown } | null };
  const id = e.executionId ?? e.requestContext?.requestId ?? e.id;
  // Bounded: the event is not trusted yet, and the key goes on every line of the invocation.
  return typeof id === "string" && id.length > 0 ? id.slice(0, 256) : undefined;
}

/** Puts the trigger's correlation id on every line of the invocation (the keys are reset after it). */
export const correlate = (log: Pick<Logger, "appendKeys">): MiddlewareObj => ({
  before: (request) => {
    const correlationId = correlationIdOf(request.event);
    if (correlationId) log.appendKeys({ correlationId });
  },
});

/**
 * logEvent: false whatever POWERTOOLS_LOGGER_LOG_EVENT says: events carry override values (secrets).
 * `onTimeout`: the answer when the invocation's time is about to run out (middy gives it 5 ms before Lambda
 * would); without it the invocation fails with middy's TimeoutError, which Lambda's retry and DLQ see.
 */
export function lambdaHandler<E, R>(fn: (event: E, context: Context) => Promise<R>, onTimeout?: () => R) {
  return middy(fn, onTimeout && { timeoutEarlyResponse: onTimeout })
    .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
    .use(correlate(logger))
    .use(logErrors(logger));
}
