/**
 * The job spec (SPEC section 1) as zod schemas. Field constraints mirror the ECS and Scheduler API models
 * (../shared/aws-models) so that a spec that validates here builds requests those APIs accept.
 * Messages are written for people: "expected 1..16 items" — the loader appends what it got.
 */
import { z } from "zod";
import { isValidTimeZone, parseScheduleExpression } from "../schedule/index.ts";
import { JOB_NAME_PATTERN, MAX_TASK_COUNT, OVERRIDE_PATH } from "./patterns.ts";
import { checkWebhookUrl } from "./webhook-url.ts";

export { JOB_NAME_PATTERN, OVERRIDE_PATH };

const range = (min: number, max: number, what = "") => `expected ${min}..${max}${what}`;
const int = (min: number, max: number) =>
  z
    .number({ error: `expected an integer ${min}..${max}` })
    .int({ error: `expected an integer ${min}..${max}` })
    .min(min, { error: range(min, max) })
    .max(max, { error: range(min, max) });
const text = (min: number, max: number) =>
  z
    .string({ error: "expected a string" })
    .min(min, { error: range(min, max, " characters") })
    .max(max, { error: range(min, max, " characters") });
const list = <T extends z.ZodType>(item: T, min: number, max: number) =>
  z
    .array(item, { error: "expected a list" })
    .min(min, { error: range(min, max, " items") })
    .max(max, { error: range(min, max, " items") });
const isoDate = z.iso.datetime({
  offset: true,
  error: "expected an ISO 8601 date-time, e.g. 2026-01-01T00:00:00Z",
});

/** YAML writes `PORT: 8080` and `DEBUG: true`; ECS wants strings, so scalars are taken as their text. */
const envValue = z
  .union([z.string(), z.number(), z.boolean()], { error: "expected a string" })
  .transform(String);
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const ScheduleSchema = z.strictObject({
  expression: z.string({ error: "expected a schedule expression" }).superRefine((value, ctx) => {
    const parsed = parseScheduleExpression(value);
    if (!parsed.ok) ctx.addIssue({ code: "custom", message: parsed.error });
  }),
  timezone: z
    .string()
    .refine(isValidTimeZone, { error: "expected an IANA time zone such as Europe/Paris" })
    .default("UTC"),
  enabled: z.boolean({ error: "expected true or false" }).default(true),
  flexibleWindowMinutes: z
    .number({ error: "expected 0 (off) or 1..1440" })
    .int({ error: "expected 0 (off) or 1..1440" })
    .min(0, { error: "expected 0 (off) or 1..1440" })
    .max(1440, { error: "expected 0 (off) or 1..1440" })
    .default(0),
  startDate: isoDate.optional(),
  endDate: isoDate.optional(),
});

const HttpSchema = z.union(
  [
    z.boolean(),
    z.strictObject({
      allowOverrides: z
        .array(
          z.string().regex(OVERRIDE_PATH, {
            error:
              "expected count, cpu, memory, command, environment.NAME or environment.* (optionally CONTAINER.-prefixed)",
          }),
        )
        .default([]),
    }),
  ],
  { error: "expected true, false or { allowOverrides: [...] }" },
);

const CapacityProviderSchema = z.strictObject({
  capacityProvider: text(1, 255),
  weight: int(0, 1000).optional(),
  base: int(0, 100000).optional(),
});

const NetworkSchema = z.strictObject({
  subnets: list(text(1, 1024), 1, 16),
  securityGroups: list(text(1, 1024), 0, 5).default([]),
  assignPublicIp: z.boolean({ error: "expected true or false" }).default(false),
});

const ContainerOverrideSchema = z.strictObject({
  name: text(1, 255),
  command: z
    .union([z.string(), z.array(z.string())], { error: "expected a list of strings (or one string)" })
    .transform((c) => (typeof c === "string" ? [c] : c))
    .optional(),
  environment: z
    .record(z.string().regex(ENV_NAME, { error: "expected an environment variable name" }), envValue)
    .optional(),
  cpu: int(0, 10240 * 1024).optional(),
  memory: int(4, 1024 * 1024).optional(),
  memoryReservation: int(4, 1024 * 1024).optional(),
});

const OverridesSchema = z.strictObject({
  taskRoleArn: text(1, 2048).optional(),
  executionRoleArn: text(1, 2048).optional(),
  cpu: z.union([z.string(), z.number()]).transform(String).optional(),
  memory: z.union([z.string(), z.number()]).transform(String).optional(),
  ephemeralStorageGiB: int(21, 200).optional(),
  containers: z.array(ContainerOverrideSchema).default([]),
});

export const PLACEMENT_TEMPLATES = [
  "azBalancedSpread",
  "azBalancedBinpack",
  "binpack",
  "oneTaskPerHost",
] as const;

const PlacementSchema = z.strictObject({
  template: z.enum(PLACEMENT_TEMPLATES).optional(),
  strategy: list(
    z.strictObject({
      type: z.enum(["random", "spread", "binpack"]),
      field: text(1, 255).optional(),
    }),
    1,
    5,
  ).optional(),
  constraints: list(
    z.strictObject({
      type: z.enum(["distinctInstance", "memberOf"]),
      expression: text(1, 2000).optional(),
    }),
    1,
    10,
  ).optional(),
});

/** ECS TagKey/TagValue pattern (ecs.json). */
const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const TAG_CHARS_MESSAGE = "expected letters, digits, spaces and _ . : / = + - @ only";
const TagKey = z
  .string()
  .regex(TAG_CHARS, { error: TAG_CHARS_MESSAGE })
  .min(1, { error: "expected 1..128 characters" })
  .max(128, { error: "expected 1..128 characters" })
  .refine((k) => !k.toLowerCase().startsWith("aws:"), { error: 'tag keys must not start with "aws:"' })
  .refine((k) => !k.startsWith("ecs-jobs:"), { error: 'tag keys starting with "ecs-jobs:" are reserved' });

/** ECS allows 50 tags a task; ecs-jobs adds two of its own (ecs-jobs:job, ecs-jobs:run). */
export const MAX_USER_TAGS = 48;

const TaskSchema = z.strictObject({
  cluster: text(1, 2048).default("default"),
  taskDefinition: text(1, 2048),
  launchType: z.enum(["FARGATE", "EC2", "EXTERNAL"]).optional(),
  capacityProviderStrategy: list(CapacityProviderSchema, 1, 20).optional(),
  platformVersion: text(1, 255).optional(),
  count: int(1, MAX_TASK_COUNT).default(1),
  group: text(1, 255).optional(),
  network: NetworkSchema.optional(),
  overrides: OverridesSchema.optional(),
  tags: z
    .record(
      TagKey,
      z
        .union([z.string(), z.number(), z.boolean()])
        .transform(String)
        .pipe(text(0, 256).regex(TAG_CHARS, { error: TAG_CHARS_MESSAGE })),
    )
    .refine((t) => Object.keys(t).length <= MAX_USER_TAGS, {
      error: `expected at most ${MAX_USER_TAGS} tags (ECS allows 50; ecs-jobs adds 2)`,
    })
    .default({}),
  enableECSManagedTags: z.boolean({ error: "expected true or false" }).default(true),
  propagateTags: z.enum(["TASK_DEFINITION", "NONE"]).optional(),
  placement: PlacementSchema.optional(),
});

export const STOP_CODES = [
  "TaskFailedToStart",
  "EssentialContainerExited",
  "UserInitiated",
  "ServiceSchedulerInitiated",
  "SpotInterruption",
  "TerminationNotice",
  "InfrastructureHealth",
] as const;
/** A retry condition: a stop code, `exit:N`, `reason:GLOB` (matched against stop and container reasons), or TimedOut. */
export const RETRY_CONDITION = new RegExp(`^(${STOP_CODES.join("|")}|TimedOut|exit:\\d{1,3}|reason:.+)$`);

const PolicySchema = z.strictObject({
  concurrency: z.enum(["allow", "forbid", "replace"]).default("allow"),
  timeoutMinutes: int(1, 10080).optional(),
  startDeadlineMinutes: int(1, 1440).optional(),
  retries: z
    .strictObject({
      attempts: int(0, 10),
      on: list(
        z.string().regex(RETRY_CONDITION, {
          error: `expected a stop code (${STOP_CODES.join(", ")}), TimedOut, exit:N or reason:PATTERN`,
        }),
        1,
        20,
      ),
      /** The first retry's delay; each later one doubles it (with jitter), capped at 15 minutes. */
      delaySeconds: int(0, 900).default(0),
    })
    .optional(),
  /** After missed fire times (MISSED): launch none, the latest, or all of those younger than the window. */
  catchUp: z.enum(["none", "latest", "all"], { error: "expected none, latest or all" }).default("none"),
  catchUpWindowMinutes: int(1, 1440).default(60),
  spotFallback: z.boolean({ error: "expected true or false" }).default(false),
  pauseAfterFailures: int(0, 1000).default(0),
});

export const ALERT_KINDS = ["FAILED", "TIMED_OUT", "MISSED", "PAUSED", "SLOW", "RECOVERED"] as const;

/** An SSM parameter name (/ecs-jobs/webhook) or ARN, or a Secrets Manager secret ARN. */
export const SECRET_PARAMETER =
  /^(arn:aws[a-z-]*:(ssm:[a-z0-9-]+:\d{12}:parameter\/[A-Za-z0-9_.\-/]{1,2011}|secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]{1,512})|\/?[A-Za-z0-9_.\-/]{1,2011})$/;

const WebhookSchema = z.strictObject({
  url: z
    .string({ error: "expected an https:// URL" })
    .max(2048, { error: "expected at most 2048 characters" })
    .superRefine((value, ctx) => {
      const checked = checkWebhookUrl(value);
      if (!checked.ok) ctx.addIssue({ code: "custom", message: checked.message });
    }),
  secretParameter: z
    .string({ error: "expected an SSM parameter name or a Secrets Manager secret ARN" })
    .regex(SECRET_PARAMETER, {
      error: "expected an SSM parameter name (/ecs-jobs/webhook) or ARN, or a Secrets Manager secret ARN",
    })
    .optional(),
});

const AlertsSchema = z.strictObject({
  on: z.array(z.enum(ALERT_KINDS)).default(["FAILED", "TIMED_OUT", "MISSED", "PAUSED"]),
  /** every: each failed run alerts; change: a streak's first failure and its recovery only. */
  notify: z.enum(["every", "change"]).default("every"),
  webhook: WebhookSchema.optional(),
  snsTopicArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/, {
      error: "expected an SNS topic ARN, e.g. arn:aws:sns:eu-west-1:111122223333:ops",
    })
    .optional(),
  /**
   * A CloudWatch alarm on this job's RunsFailed and RunsMissed metrics (deploy/alarms.ts), for consoles,
   * composite alarms and paging, besides the alerts.
   */
  alarm: z.boolean({ error: "expected true or false" }).default(false),
});

export const LOCAL_OUTCOME = /^(succeed|oom|spotInterruption|exit:\d{1,3}|failToStart:[A-Za-z][A-Za-z0-9]*)$/;

/** What a task does in local mode (SPEC section 5). AWS never sees it. */
const LocalSchema = z.strictObject({
  outcome: z
    .string()
    .regex(LOCAL_OUTCOME, { error: "expected succeed, exit:N, failToStart:REASON, oom or spotInterruption" })
    .default("succeed"),
  durationSeconds: z
    .number()
    .min(0, { error: "expected 0..86400" })
    .max(86400, { error: "expected 0..86400" })
    .default(2),
  exec: z.boolean({ error: "expected true or false" }).default(false),
});

export const JobSpecSchema = z.strictObject({
  name: z
    .string()
    .regex(JOB_NAME_PATTERN, { error: "expected lower-case letters, digits and '-', 1..63 characters" })
    .optional(),
  description: text(0, 512).optional(),
  schedule: ScheduleSchema.optional(),
  http: HttpSchema.optional(),
  onInstanceLaunch: z.boolean({ error: "expected true or false" }).default(false),
  task: TaskSchema,
  policy: PolicySchema.default(() => PolicySchema.parse({})),
  alerts: AlertsSchema.default(() => AlertsSchema.parse({})),
  local: LocalSchema.default(() => LocalSchema.parse({})),
});

export type JobSpec = z.output<typeof JobSpecSchema>;
export type TaskSpec = JobSpec["task"];

/** A loaded, validated job. */
export interface Job {
  name: string;
  /** The spec file, relative to where the jobs were loaded from. */
  file: string;
  spec: JobSpec;
}
