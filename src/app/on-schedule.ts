/**
 * What the schedule handler does with one invocation: find the job and the trigger in the event, launch one
 * run. Nothing here throws for a bad or unknown event: Lambda would retry it forever. AWS faults do throw
 * (the retried invocation computes the same run id, so nothing is launched twice).
 */

import type { Run, Trigger } from "../runs/model.ts";
import { jobNamesForRule, ScheduledEventSchema } from "../triggers/scheduled-event.ts";
import { SchedulerInputSchema } from "../triggers/scheduler.ts";
import type { Deps } from "./deps.ts";
import { launchRun } from "./launch-run.ts";
import { onRunFinal } from "./on-run-final.ts";

export type ScheduleOutcome =
  | { outcome: "launched"; runId: string; status: Run["status"] }
  | { outcome: "dropped"; reason: string };

/** The job name(s) to look for, best first, and the trigger; undefined when the event is neither shape. */
export function scheduleTriggerOf(event: unknown): { jobNames: string[]; trigger: Trigger } | undefined {
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

/** `stopBy`: when the invocation must stop sending batches (its time is running out); see launchRun. */
export async function onScheduleEvent(
  deps: Deps,
  event: unknown,
  options: { stopBy?: Date } = {},
): Promise<ScheduleOutcome> {
  const found = scheduleTriggerOf(event);
  if (!found) {
    const issue = SchedulerInputSchema.safeParse(event).error?.issues[0];
    deps.log.error("not a scheduler input nor a Scheduled Event; dropped", {
      expected: '{"job","executionId","scheduledTime"} or a Scheduled Event',
      ...(issue && { field: issue.path.map(String).join("."), problem: issue.message }),
    });
    return { outcome: "dropped", reason: "unrecognised event" };
  }
  const job = found.jobNames.map((n) => deps.catalog.get(n)).find((j) => j !== undefined);
  if (!job) {
    deps.log.warn("schedule names no known job; dropped", { jobNames: found.jobNames });
    return { outcome: "dropped", reason: `unknown job ${found.jobNames[0] ?? "(none)"}` };
  }
  const run = await launchRun(deps, {
    job,
    trigger: found.trigger,
    ...(options.stopBy && { stopBy: options.stopBy }),
  });
  deps.log.info("scheduled run launched", { status: run.status, tasks: run.tasks.length });
  // A run that is final at launch (every RunTask refused, forbid) gets no task event: act on it now. If that
  // fails the invocation is retried; the run id and clientTokens are the same, so nothing launches twice.
  await onRunFinal(deps, run);
  return { outcome: "launched", runId: run.runId, status: run.status };
}
