/**
 * StopTask owed by a run ended TIMED_OUT or CANCELLED (src/ledger/end-work.ts `stopOwed`): sent by the step
 * that ended it and, while any StopTask failed, again by each sweep, until ECS took them all (or the tasks
 * are gone). Then the mark is removed, and the run leaves the sweeper's list once its end-work is done too.
 */
import { EcsJobsError } from "../errors.ts";
import type { Job } from "../jobspec/schema.ts";
import type { EcsPort } from "../launch/ecs-port.ts";
import { type StopOutcome, stopAllTasks } from "../launch/stop-tasks.ts";
import type { RunLedger } from "../ledger/ledger.ts";
import type { Run } from "../runs/model.ts";

export interface OwedStopDeps extends EcsPort {
  ledger: RunLedger;
}

/** Stops the run's tasks; removes the run's mark, if it has one, when none can be left running. */
export async function settleStops(
  deps: OwedStopDeps,
  job: Job,
  run: Run,
  reason: string,
): Promise<StopOutcome> {
  const outcome = await stopAllTasks(deps, job, run, reason);
  if (outcome.complete && run.stopOwed === "pending") await deps.ledger.stopDone(run.runId);
  return outcome;
}

/** The sweeper's retry; throws while a StopTask still fails, so the sweep reports it and the run stays listed. */
export async function retryOwedStop(deps: OwedStopDeps, job: Job | undefined, run: Run): Promise<void> {
  if (!job) {
    // Its cluster is unknown without the job: nothing can be stopped, and the mark would stay forever.
    deps.log.warn("run owes StopTask but its job is gone; dropping the mark", { runId: run.runId });
    await deps.ledger.stopDone(run.runId);
    return;
  }
  const reason = `ecs-jobs: run ${run.runId} ended ${run.status}`;
  const { complete, error } = await settleStops(deps, job, run, reason);
  if (!complete)
    throw new EcsJobsError("StopTaskOwed", `StopTask for run ${run.runId} (${run.status}) failed again`, {
      cause: error,
    });
}
