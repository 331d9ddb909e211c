/**
 * Everything the core needs from the outside world, built once per process (a Lambda container, the CLI,
 * the local stack) and passed in. Nothing in the core reads process.env or constructs a client itself.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import type { AwsClients } from "./aws/clients.ts";
import type { Catalog } from "./catalog/catalog.ts";
import type { RunTaskPacer } from "./launch/runtask-pacer.ts";
import type { RunLedger } from "./runs/ledger.ts";
import type { RetryDue } from "./triggers/retry-due.ts";

export interface AppConfig {
  /** DynamoDB table of the run ledger. */
  tableName: string;
  /** Where alerts go (EventBridge bus name; "default" in AWS). */
  eventBusName: string;
  /** EventBridge Scheduler group holding the jobs' schedules. */
  scheduleGroup: string;
  /** How long runs are kept (DynamoDB TTL). */
  retentionDays: number;
  region: string;
  /** Where the dashboard/API lives, for links in alerts (optional). */
  publicUrl?: string;
}

/** A minimal logger shape: Powertools' Logger satisfies it, and so does a test double. */
export type Log = Pick<Logger, "debug" | "info" | "warn" | "error" | "appendKeys" | "removeKeys">;

export interface Deps {
  clients: AwsClients;
  ledger: RunLedger;
  catalog: Catalog;
  config: AppConfig;
  now: () => Date;
  log: Log;
  /** Waits between polls (`run --wait`); tests pass a fake. */
  sleep: (ms: number) => Promise<void>;
  /**
   * When a job's schedule was created or last modified, where its rate schedule counts from (GET /jobs). The
   * local stack gives its Scheduler stand-in's; unset in AWS, where views count from the request time.
   */
  scheduleAnchor?: (job: string) => Date | undefined;
  /**
   * Delivers a delayed retry to the status function (an SQS message with DelaySeconds in AWS). Absent (the
   * CLI, most tests), a retry is launched at once whatever its delay.
   */
  retryTimer?: RetryTimer;
  /**
   * Paces RunTask calls to ECS's rate limits, shared by every launch of the process (runtask-pacer.ts).
   * Absent (the CLI, most tests), calls go out as fast as they are made and the SDK's retries meet throttles.
   */
  runTaskPacer?: RunTaskPacer;
  /** Jitter source for retry delays; Math.random unless a test pins it. */
  random?: () => number;
  /** Alert webhooks (src/alerts/webhook.ts); absent in AWS, where the defaults apply. */
  webhooks?: WebhookOptions;
}

export interface RetryTimer {
  after(seconds: number, due: RetryDue): Promise<void>;
}

/** What local mode and tests change about alert webhooks. */
export interface WebhookOptions {
  /** Plain http to a loopback address: local mode only (the deployed sender refuses it). */
  allowLoopbackHttp?: boolean;
  /** Reads a signing secret by parameter name or ARN (default: SSM Parameter Store / Secrets Manager). */
  readSecret?: (parameter: string) => Promise<string>;
  /** Told of every webhook delivery, sent or not (the local dashboard lists them). */
  onDelivery?: (delivery: WebhookDelivery) => void;
}

export interface WebhookDelivery {
  at: string;
  job: string;
  runId: string;
  kind: string;
  /** The receiver's host only: a webhook's path is often its credential. */
  host: string;
  ok: boolean;
  attempts: number;
  status?: number;
  error?: string;
  signed: boolean;
}

export const DEFAULT_CONFIG: AppConfig = {
  tableName: "ecs-jobs-runs",
  eventBusName: "default",
  scheduleGroup: "ecs-jobs",
  retentionDays: 90,
  region: "us-east-1",
};

export function configFromEnv(env: Record<string, string | undefined>): AppConfig {
  const days = Number(env.ECS_JOBS_RETENTION_DAYS);
  return {
    tableName: env.ECS_JOBS_TABLE ?? DEFAULT_CONFIG.tableName,
    eventBusName: env.ECS_JOBS_EVENT_BUS ?? DEFAULT_CONFIG.eventBusName,
    scheduleGroup: env.ECS_JOBS_SCHEDULE_GROUP ?? DEFAULT_CONFIG.scheduleGroup,
    retentionDays: Number.isInteger(days) && days > 0 ? days : DEFAULT_CONFIG.retentionDays,
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? DEFAULT_CONFIG.region,
    ...(env.ECS_JOBS_PUBLIC_URL && { publicUrl: env.ECS_JOBS_PUBLIC_URL }),
  };
}
