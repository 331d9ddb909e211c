/** What a job is at a glance: its triggers, next fire times and target (CLI list, GET /jobs, dashboard). */
// The schedule modules themselves, not the ../schedule/index.ts barrel: it also exports describeSchedule,
// whose cronstrue (a CommonJS package esbuild cannot drop) would land in every handler bundle.
import { parseScheduleExpression } from "../schedule/expression.ts";
import { nextFireTimes } from "../schedule/next.ts";
import { formatInZone } from "../schedule/zone.ts";
import type { Job, JobSpec } from "../spec/schema.ts";

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

export function upcoming(job: Job, from: Date, count: number): Date[] {
  const s = job.spec.schedule;
  if (!s) return [];
  const parsed = parseScheduleExpression(s.expression);
  if (!parsed.ok) return [];
  return nextFireTimes(parsed.value, {
    timezone: s.timezone,
    from,
    count,
    // A rate schedule counts from when it was created, which only AWS knows; the minute of `from` stands in.
    anchor: new Date(Math.floor(from.getTime() / 60_000) * 60_000),
    ...(s.startDate && { startDate: new Date(s.startDate) }),
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
export function summarize(job: Job, now: Date, count = 1, paused = false): JobSummary {
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
      s && state === "ENABLED" ? upcoming(job, now, count).map((d) => formatInZone(d, s.timezone)) : [],
    target: {
      cluster: job.spec.task.cluster,
      taskDefinition: job.spec.task.taskDefinition,
      capacity: capacityOf(job.spec),
      count: job.spec.task.count,
    },
  };
}
