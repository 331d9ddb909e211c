/** What a job is at a glance: its triggers, next fire times and target (CLI list, GET /jobs, dashboard). */
// The schedule modules themselves, not the ../schedule/index.ts barrel: it also exports describeSchedule,
// whose cronstrue (a CommonJS package esbuild cannot drop) would land in every handler bundle.

import type { Job, JobSpec } from "../jobspec/schema.ts";
import type { DeployedSchedule } from "../schedule/deployed.ts";
import { parseScheduleExpression } from "../schedule/expression.ts";
import { nextFireTimes } from "../schedule/next.ts";
import { formatInZone } from "../schedule/zone.ts";

export type TriggerName = "schedule" | "http" | "instanceLaunch";

/** SPEC section 6: DISABLED = `schedule.enabled: false` in the spec; PAUSED = its schedule disabled on purpose. */
export type JobState = "ENABLED" | "PAUSED" | "DISABLED";

export interface JobSummary {
  name: string;
  description?: string;
  file: string;
  triggers: TriggerName[];
  schedule?: { expression: string; awsExpression: string; timezone: string; enabled: boolean };
  state: JobState;
  /** ISO 8601 with the offset of the job's time zone; empty unless scheduled and ENABLED, or past its end. */
  nextFireTimes: string[];
  target: { cluster: string; taskDefinition: string; capacity: string; count: number };
}

export const triggersOf = (spec: JobSpec): TriggerName[] => [
  ...(spec.schedule ? (["schedule"] as const) : []),
  ...(spec.http ? (["http"] as const) : []),
  ...(spec.onInstanceLaunch ? (["instanceLaunch"] as const) : []),
];

/** The AWS expression of a (valid) schedule: shorthands such as @daily are translated. */
export function awsExpression(expression: string): string {
  const parsed = parseScheduleExpression(expression);
  return parsed.ok ? parsed.value.aws : expression;
}

/**
 * The one place fire times are computed for every view (`next`, `list`, GET /jobs, the dashboard, the local
 * scheduler). A rate schedule counts as EventBridge Scheduler does: from its startDate when it has one, else
 * from when the schedule was created or last modified (`anchor`: the caller's knowledge, e.g. the local
 * stack's stored modification time, or the schedule as deployed in AWS, whose own StartDate then stands for
 * the spec's); unknown, it counts from `from`, as a schedule created at that instant.
 */
export function upcoming(job: Job, from: Date, count: number, anchor?: Date | DeployedSchedule): Date[] {
  const s = job.spec.schedule;
  if (!s) return [];
  const parsed = parseScheduleExpression(s.expression);
  if (!parsed.ok) return [];
  const deployed = anchor === undefined || anchor instanceof Date ? undefined : anchor;
  const known = anchor instanceof Date ? anchor : deployed?.modifiedAt;
  const startDate = deployed ? deployed.startDate : s.startDate ? new Date(s.startDate) : undefined;
  return nextFireTimes(parsed.value, {
    timezone: s.timezone,
    from,
    count,
    anchor: known ?? from,
    ...(startDate && { startDate }),
    ...(s.endDate && { endDate: new Date(s.endDate) }),
  });
}

export function capacityOf(spec: JobSpec): string {
  const t = spec.task;
  if (t.launchType) return t.launchType;
  if (t.capacityProviderStrategy) return t.capacityProviderStrategy.map((c) => c.capacityProvider).join("+");
  return "cluster default";
}

export function jobState(job: Job, paused: boolean): JobState {
  if (job.spec.schedule && !job.spec.schedule.enabled) return "DISABLED";
  return paused && job.spec.schedule ? "PAUSED" : "ENABLED";
}

/** `paused`: whether the job's schedule is disabled where it runs (pausedJobs); the spec alone cannot tell. */
/** `anchor`: when the job's schedule was created or last modified, or the schedule as deployed (see upcoming). */
export function summarize(
  job: Job,
  now: Date,
  count = 1,
  paused = false,
  anchor?: Date | DeployedSchedule,
): JobSummary {
  const s = job.spec.schedule;
  const state = jobState(job, paused);
  return {
    name: job.name,
    ...(job.spec.description && { description: job.spec.description }),
    file: job.file,
    triggers: triggersOf(job.spec),
    ...(s && {
      schedule: {
        expression: s.expression,
        awsExpression: awsExpression(s.expression),
        timezone: s.timezone,
        enabled: s.enabled,
      },
    }),
    state,
    nextFireTimes:
      s && state === "ENABLED"
        ? upcoming(job, now, count, anchor).map((d) => formatInZone(d, s.timezone))
        : [],
    target: {
      cluster: job.spec.task.cluster,
      taskDefinition: job.spec.task.taskDefinition,
      capacity: capacityOf(job.spec),
      count: job.spec.task.count,
    },
  };
}
