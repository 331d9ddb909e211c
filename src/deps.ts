/**
 * Everything the core needs from the outside world, built once per process (a Lambda container, the CLI,
 * the local stack) and passed in. Nothing in the core reads process.env or constructs a client itself.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import type { AwsClients } from "./aws/clients.ts";
import type { Catalog } from "./catalog/catalog.ts";
import type { RunLedger } from "./runs/ledger.ts";

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
  /** Waits between retries; tests and the local stack pass a fake. */
  sleep: (ms: number) => Promise<void>;
  /**
   * When a job's schedule was created or last modified, where its rate schedule counts from (GET /jobs). The
   * local stack gives its Scheduler stand-in's; unset in AWS, where views count from the request time.
   */
  scheduleAnchor?: (job: string) => Date | undefined;
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
