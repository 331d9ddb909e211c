/** What a deployment configures (the handlers read it from their environment; the CLI from its options). */
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
