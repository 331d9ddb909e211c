/** `custom.ecsJobs` in serverless.yml: what the deploy needs beyond the jobs themselves. */
import { z } from "zod";
import { ValidationError } from "../src/errors.ts";

const GROUP_NAME = /^[0-9a-zA-Z-_.]{1,64}$/;

export const DeployConfigSchema = z.strictObject({
  /** The jobs folder, relative to the service directory (ECS_JOBS_DIR overrides it). */
  jobsDir: z.string().min(1).default("jobs"),
  /** EventBridge Scheduler group that holds one schedule per scheduled job (default: SERVICE-STAGE). */
  scheduleGroup: z.string().regex(GROUP_NAME, { error: "expected 1..64 of [0-9a-zA-Z-_.]" }).optional(),
  /** Where alerts go. */
  eventBus: z.string().min(1).default("default"),
  retentionDays: z.number().int().min(1).max(3650).default(90),
  /**
   * Roles RunTask/StartTask must pass that no job names: the task and execution roles inside the task
   * definitions (the jobs only show the roles they override). Names or ARNs.
   */
  passRoles: z.array(z.string().min(1)).default([]),
  /** Log groups the alerts may read the last lines of; empty = any log group of the account and region. */
  logGroups: z.array(z.string().min(1)).default([]),
  /**
   * Opt-in: grant RunTask on every family starting with one of these (`task-definition/PREFIX*`) instead of
   * listing each family, for teams whose task definitions outgrow the IAM policy size quotas.
   */
  taskDefinitionFamilyPrefixes: z.array(z.string().regex(/^[A-Za-z0-9_-]+$/)).default([]),
  /** IAM "managed policies per role" quota: 10 by default, 20 at most after a quota increase. */
  maxManagedPoliciesPerRole: z.number().int().min(1).max(20).default(10),
  scheduleRetry: z
    .strictObject({
      maximumRetryAttempts: z.number().int().min(0).max(185).default(3),
      maximumEventAgeInSeconds: z.number().int().min(60).max(86400).default(3600),
    })
    .default({ maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 }),
  /**
   * Where the CloudWatch alarms (dead-letter queues, jobs with alerts.alarm) notify: an operations SNS topic
   * whose policy lets cloudwatch.amazonaws.com publish. Unset: the alarms only change state.
   */
  alarmTopicArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, {
      error: "expected a standard (not FIFO) SNS topic ARN",
    })
    .optional(),
  /** Reconcile the schedules with the Scheduler API after `deploy` (false: only `reconcile-schedules`). */
  reconcileOnDeploy: z.boolean().default(true),
});

export type DeployConfig = z.output<typeof DeployConfigSchema>;

export function parseDeployConfig(raw: unknown): DeployConfig {
  const parsed = DeployConfigSchema.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = ["custom", "ecsJobs", ...(issue?.path ?? [])].join(".");
  throw new ValidationError(`${field}: ${issue?.message ?? "invalid"}`, { field });
}
