/**
 * What a schedule invocation asks for, from either of its two shapes: EventBridge Scheduler's input
 * (scheduler.ts) or a classic rule's Scheduled Event (scheduled-event.ts). The schedule handler parses its
 * event here and hands the use case (src/app/on-schedule.ts) the result, or drops the event.
 */
import type { Trigger } from "../runs/model.ts";
import { jobNamesForRule, ScheduledEventSchema } from "./scheduled-event.ts";
import { SchedulerInputSchema } from "./scheduler.ts";

export interface ScheduleTrigger {
  /** The job name(s) to look for, best first (a rule's name may or may not carry the `ecs-jobs-` prefix). */
  jobNames: string[];
  trigger: Trigger;
}

/** The job name(s) and the trigger; undefined when the event is neither shape. */
export function scheduleTriggerOf(event: unknown): ScheduleTrigger | undefined {
  const input = SchedulerInputSchema.safeParse(event);
  if (input.success) {
    const { job, executionId, scheduledTime } = input.data;
    return { jobNames: [job], trigger: { kind: "schedule", id: executionId, scheduledTime } };
  }
  const rule = ScheduledEventSchema.safeParse(event);
  if (rule.success) {
    const e = rule.data;
    return {
      jobNames: jobNamesForRule(e.resources[0] ?? ""),
      trigger: { kind: "schedule", id: e.id, scheduledTime: e.time },
    };
  }
  return undefined;
}

/**
 * Why an event is no schedule invocation, for the log: the first problem against Scheduler's input, the
 * shape deployed schedules send.
 */
export function scheduleEventProblem(event: unknown): { field: string; problem: string } | undefined {
  const issue = SchedulerInputSchema.safeParse(event).error?.issues[0];
  return issue && { field: issue.path.map(String).join("."), problem: issue.message };
}
