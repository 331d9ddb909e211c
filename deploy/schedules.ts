/**
 * The schedules of the scheduled jobs. They are not CloudFormation resources (a stack holds 500 resources;
 * a team may have 1,000 jobs): packaging writes them to a manifest next to the template, and the deploy step
 * reconciles the schedule group with it through the Scheduler API (reconcile-schedules.ts).
 */
import type { CreateScheduleCommandInput } from "@aws-sdk/client-scheduler";
import type { Job } from "../src/jobspec/schema.ts";
import { parseScheduleExpression } from "../src/schedule/index.ts";
import { type ArnContext, type ArnTemplate, resolveArn } from "./arns.ts";

export const MANIFEST_FILE_NAME = "schedules.json";

/** What one schedule must be, independent of the account it is deployed to. */
export interface ScheduleEntry {
  name: string;
  /** The AWS expression: shorthands such as @daily are already translated. */
  expression: string;
  timezone: string;
  /** As the spec says; a schedule paused at runtime stays paused (see reconcile-schedules.ts). */
  enabled: boolean;
  /** 0 = off. */
  flexibleWindowMinutes: number;
  startDate?: string;
  endDate?: string;
  description: string;
  /** Events older than this are dropped to the DLQ rather than started late. */
  maximumEventAgeInSeconds: number;
}

export interface ScheduleManifest {
  version: 1;
  group: string;
  target: { arn: ArnTemplate; roleArn: ArnTemplate; deadLetterArn: ArnTemplate };
  retry: { maximumRetryAttempts: number; maximumEventAgeInSeconds: number };
  schedules: ScheduleEntry[];
}

/** The schedule handler's input contract; Scheduler fills in the `<aws.scheduler.*>` placeholders. */
export const scheduleInput = (job: string): string =>
  JSON.stringify({
    job,
    executionId: "<aws.scheduler.execution-id>",
    scheduledTime: "<aws.scheduler.scheduled-time>",
  });

const DESCRIPTION_MAX = 512;

/**
 * Appended to the description of a schedule its spec disables. A DISABLED schedule without it was paused at
 * runtime (pauseAfterFailures), and a deploy keeps it paused until it is resumed.
 */
export const SPEC_DISABLED_MARK = " [ecs-jobs: disabled in its spec]";

export function scheduleDescription(entry: ScheduleEntry, state: "ENABLED" | "DISABLED"): string {
  if (state === "ENABLED" || entry.enabled) return entry.description;
  return entry.description.slice(0, DESCRIPTION_MAX - SPEC_DISABLED_MARK.length) + SPEC_DISABLED_MARK;
}

export function scheduleEntry(job: Job, retry: ScheduleManifest["retry"]): ScheduleEntry | undefined {
  const s = job.spec.schedule;
  if (!s) return undefined;
  const parsed = parseScheduleExpression(s.expression);
  // The spec loader has validated the expression; this only guards against a catalogue built elsewhere.
  if (!parsed.ok) throw new Error(`${job.file} schedule.expression: ${parsed.error}`);
  // A run that has not started by its start deadline is MISSED anyway: do not let Scheduler start it later.
  const deadline = job.spec.policy.startDeadlineMinutes;
  const maximumEventAgeInSeconds = deadline
    ? Math.max(60, Math.min(retry.maximumEventAgeInSeconds, deadline * 60))
    : retry.maximumEventAgeInSeconds;
  return {
    name: job.name,
    expression: parsed.value.aws,
    timezone: s.timezone,
    enabled: s.enabled,
    flexibleWindowMinutes: s.flexibleWindowMinutes,
    ...(s.startDate && { startDate: s.startDate }),
    ...(s.endDate && { endDate: s.endDate }),
    description: (job.spec.description ?? `ecs-jobs job ${job.name}`).slice(0, DESCRIPTION_MAX),
    maximumEventAgeInSeconds,
  };
}

export function buildManifest(
  jobs: readonly Job[],
  group: string,
  target: ScheduleManifest["target"],
  retry: ScheduleManifest["retry"],
): ScheduleManifest {
  const schedules = jobs.map((j) => scheduleEntry(j, retry)).filter((e): e is ScheduleEntry => Boolean(e));
  return { version: 1, group, target, retry, schedules };
}

export interface ResolvedTarget {
  arn: string;
  roleArn: string;
  deadLetterArn: string;
}

export const resolveTarget = (manifest: ScheduleManifest, ctx: ArnContext): ResolvedTarget => ({
  arn: resolveArn(manifest.target.arn, ctx),
  roleArn: resolveArn(manifest.target.roleArn, ctx),
  deadLetterArn: resolveArn(manifest.target.deadLetterArn, ctx),
});

/**
 * Scheduler refuses a StartDate more than 5 minutes in the past ("cannot be earlier than 5 minutes ago"), on
 * UpdateSchedule too; a start date that has passed no longer restricts anything, so it is left out.
 */
export const activeStartDate = (startDate: string | Date | undefined, now: Date): Date | undefined => {
  if (!startDate) return undefined;
  const date = new Date(startDate);
  return date.getTime() > now.getTime() ? date : undefined;
};

/** The CreateSchedule (and UpdateSchedule: same members) request for one entry. */
export function scheduleRequest(
  entry: ScheduleEntry,
  group: string,
  target: ResolvedTarget,
  retry: ScheduleManifest["retry"],
  state: "ENABLED" | "DISABLED" = entry.enabled ? "ENABLED" : "DISABLED",
  now: Date = new Date(),
): CreateScheduleCommandInput {
  const startDate = activeStartDate(entry.startDate, now);
  return {
    Name: entry.name,
    GroupName: group,
    ScheduleExpression: entry.expression,
    ScheduleExpressionTimezone: entry.timezone,
    State: state,
    Description: scheduleDescription(entry, state),
    FlexibleTimeWindow:
      entry.flexibleWindowMinutes > 0
        ? { Mode: "FLEXIBLE", MaximumWindowInMinutes: entry.flexibleWindowMinutes }
        : { Mode: "OFF" },
    ...(startDate && { StartDate: startDate }),
    ...(entry.endDate && { EndDate: new Date(entry.endDate) }),
    ActionAfterCompletion: "NONE",
    Target: {
      Arn: target.arn,
      RoleArn: target.roleArn,
      Input: scheduleInput(entry.name),
      RetryPolicy: {
        MaximumRetryAttempts: retry.maximumRetryAttempts,
        MaximumEventAgeInSeconds: entry.maximumEventAgeInSeconds,
      },
      DeadLetterConfig: { Arn: target.deadLetterArn },
    },
  };
}
