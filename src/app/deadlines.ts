/**
 * The sweeper's deadlines for an active run: policy.timeoutMinutes (from the start, or from creation if
 * it never started) ends it TIMED_OUT, policy.startDeadlineMinutes (a scheduled run not RUNNING that long
 * after its fire time) ends it MISSED. The status is written first and the tasks stopped after: the STOPPED
 * events that follow then find a final run, which keeps its status (aggregate.ts), instead of making it
 * FAILED with "UserInitiated".
 */
import type { Job } from "../jobspec/schema.ts";
import type { Run, RunStatus } from "../runs/model.ts";
import { onRunFinal, type RunEndDeps } from "./on-run-final.ts";
import { settleStops } from "./owed-stops.ts";

export interface Deadline {
  status: Extract<RunStatus, "TIMED_OUT" | "MISSED">;
  /** StopTask's reason, shown by ECS as the task's stoppedReason. */
  reason: string;
  hint: string;
}

const MINUTE = 60_000;

/** The deadline the run has passed at `now`, if any. */
export function passedDeadline(job: Job, run: Run, now: Date): Deadline | undefined {
  const { timeoutMinutes, startDeadlineMinutes } = job.spec.policy;
  const t = now.getTime();
  if (timeoutMinutes !== undefined) {
    const since = Date.parse(run.startedAt ?? run.createdAt);
    if (t - since >= timeoutMinutes * MINUTE) {
      return {
        status: "TIMED_OUT",
        reason: `ecs-jobs: timed out after ${timeoutMinutes} minutes`,
        hint: `The run was still going after policy.timeoutMinutes (${timeoutMinutes} minutes), so its tasks were stopped. Check its logs for where it hung or slowed down, or raise policy.timeoutMinutes.`,
      };
    }
  }
  if (startDeadlineMinutes !== undefined && run.trigger.kind === "schedule" && run.status === "PENDING") {
    const since = Date.parse(run.trigger.scheduledTime ?? run.createdAt);
    if (t - since >= startDeadlineMinutes * MINUTE) {
      return {
        status: "MISSED",
        reason: `ecs-jobs: not running ${startDeadlineMinutes} minutes after its scheduled time`,
        hint: `No task was RUNNING ${startDeadlineMinutes} minutes (policy.startDeadlineMinutes) after the scheduled time, so the run was abandoned. Check capacity (Fargate/Spot availability, cluster instances), image pulls and the tasks' stopped reasons.`,
      };
    }
  }
  return undefined;
}

/** Ends the run if it passed a deadline; resolves to the status it was given. */
export async function enforceDeadline(deps: RunEndDeps, job: Job, run: Run): Promise<RunStatus | undefined> {
  const deadline = passedDeadline(job, run, deps.now());
  if (!deadline) return undefined;
  const { run: finished, changed } = await deps.ledger.finish(run.runId, deadline.status, {
    hint: deadline.hint,
  });
  // Someone else ended it meanwhile (its last task stopped): their outcome stands.
  if (!changed) return undefined;
  deps.log.warn("run ended by the sweeper", { runId: run.runId, job: job.name, status: deadline.status });
  // A TIMED_OUT run owes its stop until ECS takes it (owed-stops.ts); a MISSED one (no mark) is stopped once.
  await settleStops(deps, job, finished, deadline.reason);
  await onRunFinal(deps, finished);
  return deadline.status;
}
