/**
 * What the schedule handler does with one invocation, parsed (src/triggers/schedule-trigger.ts): find the
 * job, launch one run. Nothing here throws for an unknown job: Lambda would retry it forever. AWS faults do
 * throw (the retried invocation computes the same run id, so nothing is launched twice).
 */

import type { Run } from "../runs/model.ts";
import type { ScheduleTrigger } from "../triggers/schedule-trigger.ts";
import { launchRun } from "./launch-run.ts";
import { onRunFinal, type RunEndDeps } from "./on-run-final.ts";

export type ScheduleOutcome =
  | { outcome: "launched"; runId: string; status: Run["status"] }
  | { outcome: "dropped"; reason: string };

/** `stopBy`: when the invocation must stop sending batches (its time is running out); see launchRun. */
export async function onScheduleEvent(
  deps: RunEndDeps,
  found: ScheduleTrigger,
  options: { stopBy?: Date } = {},
): Promise<ScheduleOutcome> {
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
