/**
 * The run ledger: where runs are kept (DynamoDB in AWS, dynalite locally — the same code path).
 * This is the contract between the launcher (creates runs, records what RunTask answered), the status
 * handler (applies task events) and the readers (HTTP API, CLI, dashboard, sweeper).
 */
import type { EcsTaskDetail } from "../runs/events.ts";
import type { LaunchProgress, Run, RunFailure, RunStatus, TaskState } from "../runs/model.ts";

export interface RunPage {
  runs: Run[];
  /** Opaque; pass back to get the next page. */
  next?: string;
}

/** What `finish` records besides the status. */
export interface FinishExtra {
  hint?: string;
  failures?: RunFailure[];
  /** CANCELLED by `concurrency: replace`: the run that replaced it. */
  cancelledBy?: string;
}

export interface RunLedger {
  /**
   * Creates the run unless a run with the same id exists (conditional put). Returns the stored run and
   * whether this call created it: a retried trigger gets the run its first invocation created.
   */
  create(run: Run): Promise<{ run: Run; created: boolean }>;
  get(runId: string): Promise<Run | undefined>;
  /** Runs of one job, newest first. */
  listByJob(job: string, options?: { limit?: number; next?: string }): Promise<RunPage>;
  /** All runs, newest first (dashboard, `ecs-jobs runs`). */
  listRecent(options?: { limit?: number; next?: string }): Promise<RunPage>;
  /**
   * What the sweeper has to look at: runs not yet in a final state, and final runs whose end-work is pending
   * (`endWork`, end-work.ts). Other readers (restart reconciliation, backfill) skip the final ones.
   */
  listActive(): Promise<Run[]>;
  /**
   * Records what the launch calls answered: tasks started, failures, notes, and how far the launch got
   * (never backwards). Idempotent per task ARN. Resolves to the run after it; with `{ allTasks: false }`
   * (a launcher between two of its batches, which reads the run's status and not its tasks) the run's
   * `tasks` may be only some of them: a run whose tasks are stored in parts is then not read whole, which
   * after each of a 10,000-task launch's 1,000 batches made the launch quadratic in its tasks.
   */
  recordLaunch(
    runId: string,
    result: { tasks: TaskState[]; failures: RunFailure[]; notes?: string[]; progress?: LaunchProgress },
    options?: { allTasks?: boolean },
  ): Promise<Run>;
  /**
   * Applies "ECS Task State Change" details of one run's tasks in one conditional write, ending where
   * applying them one by one, in this order, would (fold-events.ts): a batch of a many-task run costs one
   * write, not one per event; a stale or duplicate detail changes nothing. Returns the run after the change
   * and whether this call moved it to a final status; undefined when the ledger has no such run. The run's
   * `tasks` are all of them once it is final; before, a run whose tasks are stored in parts comes back
   * without them (its status, times and failures are whole).
   */
  applyTaskEvents(
    runId: string,
    details: readonly EcsTaskDetail[],
  ): Promise<{ run: Run; changed: boolean; becameFinal: boolean } | undefined>;
  /**
   * Sets a status the tasks do not decide (SKIPPED, TIMED_OUT, MISSED, CANCELLED) unless the run is already
   * final; `changed` is false when it was (the run returned is then the stored, final one).
   */
  finish(runId: string, status: RunStatus, extra?: FinishExtra): Promise<{ run: Run; changed: boolean }>;
  /**
   * Marks an alert kind as sent for a run; true only for the first caller, so each alert goes out once
   * however many times the events that lead to it are delivered.
   */
  claimAlert(runId: string, kind: string): Promise<boolean>;
  /**
   * Removes the run's end-work mark (end-work.ts) once its end-work is done: the sweeper stops listing it.
   * A no-op for a run without the mark, or gone.
   */
  endWorkDone(runId: string): Promise<void>;
  /** Removes the run's StopTask mark (end-work.ts) once ECS took StopTask for every task. No-op without it. */
  stopDone(runId: string): Promise<void>;
  /**
   * Undoes a claim whose work failed (PutEvents throttled, a retry launch that ECS refused), so that the
   * retried invocation claims it again: at most once per run, and no alert lost to a transient failure.
   */
  releaseAlert(runId: string, kind: string): Promise<void>;
  /**
   * Claims the channels of one alert (EventBridge, SNS, webhook) in one write: a run's failure alert costs
   * one claim write however many channels it goes out on. Resolves to the channels this caller got (the
   * others were claimed before); each is sent once per run and kind, as with claimAlert.
   */
  claimChannels(runId: string, kind: string, channels: readonly string[]): Promise<string[]>;
  /** Undoes one channel's claim after its send failed, so that a retry sends that channel alone again. */
  releaseChannel(runId: string, kind: string, channel: string): Promise<void>;
  /**
   * `concurrency: forbid`: takes the job's one slot for `runId` — when it is free, already this run's, past
   * `until`, or held by a run that is final — atomically, so two triggers of the same instant cannot both
   * launch. Refused while another run that is not final holds it; `holder` names that run. `now` is the
   * caller's clock, the one `until` was computed with.
   */
  claimJobSlot(
    job: string,
    runId: string,
    at: { now: Date; until: Date },
  ): Promise<{ taken: true } | { taken: false; holder: string }>;
  /**
   * `concurrency: replace`: takes the job's slot (the one claimJobSlot guards) for `runId` whoever holds it,
   * in one atomic exchange, so that of simultaneous triggers each one replaces exactly one predecessor and
   * the last to write holds the slot. `previous` is the run it took the slot
   * from (absent when free or already this run's); that run is the caller's to stop.
   */
  takeJobSlot(job: string, runId: string, at: { now: Date; until: Date }): Promise<{ previous?: string }>;
}
