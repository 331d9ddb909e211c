/**
 * Launching one run of a job (SPEC section 4): the run is written to the ledger first, then the job's
 * concurrency policy is applied, then the RunTask calls that `ecs-jobs show` prints are sent, in order.
 *
 * Idempotence: the run id, hence every clientToken, is derived from the trigger. A retried invocation finds
 * the run already created and sends the same calls again; ECS answers a repeated clientToken with the tasks
 * it already started, and the ledger records a task ARN once. A run that already reached a final status is
 * returned as it is.
 *
 * Progress: each batch's answer is recorded with how many batches are done and a lease (LAUNCH_LEASE_MS).
 * A launch that dies mid-way (SIGTERM, a Lambda timeout) or stops on purpose at `stopBy` (an invocation's
 * time running out; the HTTP answer that must not wait for 100 batches) is continued from the first batch
 * not recorded — by a redelivery of the trigger, or by the sweeper once the lease has passed
 * (continueLaunch). Re-sending a batch that was sent but not recorded is harmless: same clientToken.
 */
import type { RunTaskCommandInput } from "@aws-sdk/client-ecs";
import { ConflictError } from "../errors.ts";
import { type RunOverrides, runTaskRequests } from "../jobspec/requests.ts";
import type { Job } from "../jobspec/schema.ts";
import { findActiveTasks, runIdsOf } from "../launch/active-tasks.ts";
import { launchBatch, type RunTaskPort } from "../launch/batch.ts";
import { AlreadyRecorded } from "../launch/failures.ts";
import { ON_DEMAND_NOTE, onDemandRequest } from "../launch/spot.ts";
import { stopRunTasks } from "../launch/stop-tasks.ts";
import type { RunLedger } from "../ledger/ledger.ts";
import { apiErrorHint } from "../runs/api-error-hint.ts";
import { formatHint, hintFor } from "../runs/hints.ts";
import { isFinal, type LaunchProgress, type Run, type RunFailure, type Trigger } from "../runs/model.ts";
import { runIdFor } from "../runs/run-id.ts";
import { cancelRun } from "./stop-run.ts";

export interface LaunchRequest {
  job: Job;
  trigger: Trigger;
  /** Already checked against the job's allowlist (HTTP) or given by an operator (CLI). */
  overrides?: RunOverrides;
  /** 1 for a trigger, 2.. for policy.retries. */
  attempt?: number;
  /** The first run of a retry lineage. */
  lineageId?: string;
  /**
   * When the trigger fired, part of the run id: it must be the same on every delivery of the trigger
   * (the API Gateway request time, an event's time). Default: trigger.scheduledTime, else now.
   */
  at?: Date;
  /** Launch on on-demand capacity instead of FARGATE_SPOT (a retry after a SpotInterruption). */
  onDemand?: boolean;
  /**
   * Send no batch after this (at least one is sent): the rest is left, recorded, for the sweeper to continue.
   * Default: launch every batch.
   */
  stopBy?: Date;
}

/**
 * What a launch touches: ECS through src/launch (RunTask, paced when the process has a pacer; ListTasks and
 * StopTask for the concurrency policy), the run ledger, the clock and the log.
 */
export interface LaunchDeps extends RunTaskPort {
  ledger: RunLedger;
  now: () => Date;
}

/**
 * How long a launcher may go without recording a batch before it is taken for dead and its launch continued
 * by the sweeper: well past a RunTask call with the SDK's retries, and past a Lambda invocation's 30 s.
 */
export const LAUNCH_LEASE_MS = 2 * 60_000;

const progressOf = (deps: LaunchDeps, batches: number, done: number, leaseMs = LAUNCH_LEASE_MS) => ({
  batches,
  done,
  leaseUntil: new Date(deps.now().getTime() + leaseMs).toISOString(),
});

function triggerTime(deps: LaunchDeps, req: LaunchRequest): Date {
  const candidates = [req.at, req.trigger.scheduledTime ? new Date(req.trigger.scheduledTime) : undefined];
  return candidates.find((d) => d !== undefined && !Number.isNaN(d.getTime())) ?? deps.now();
}

export async function launchRun(deps: LaunchDeps, req: LaunchRequest): Promise<Run> {
  const { job, trigger } = req;
  const attempt = req.attempt ?? 1;
  const runId = runIdFor(job.name, trigger, triggerTime(deps, req), attempt);
  deps.log.appendKeys({ job: job.name, runId });
  const requests = runTaskRequests(job, runId, req.overrides)
    .map((r) => r.input as RunTaskCommandInput)
    .map((r) => (req.onDemand ? onDemandRequest(r) : r));
  const expectedTasks = requests.reduce((n, r) => n + (r.count ?? 1), 0);

  const { run: stored, created } = await deps.ledger.create({
    runId,
    job: job.name,
    status: "PENDING",
    trigger,
    attempt,
    lineageId: req.lineageId ?? runId,
    createdAt: deps.now().toISOString(),
    expectedTasks,
    launch: progressOf(deps, requests.length, 0),
    failures: [],
    tasks: [],
    ...(req.overrides && Object.keys(req.overrides).length > 0 && { overrides: req.overrides }),
  });
  if (!created) {
    deps.log.info("run already created by an earlier delivery of this trigger", { status: stored.status });
    if (isFinal(stored.status)) return stored;
  }

  const policy = await applyConcurrency(deps, job, runId);
  if ("skipped" in policy) return policy.skipped;
  if (job.spec.policy.concurrency === "replace") {
    // A later trigger may have replaced this run already: launch nothing for a cancelled run.
    const current = await deps.ledger.get(runId);
    if (current && isFinal(current.status)) return current;
  }
  const run = await sendRequests(
    deps,
    job,
    stored,
    requests,
    [...(req.onDemand ? [ON_DEMAND_NOTE] : []), ...policy.notes],
    req.stopBy,
  );
  if (run.status === "CANCELLED") {
    // Replaced while RunTask was answering: the replacing trigger's StopTask may have missed these tasks
    // (it cancelled the run before they were recorded), so they are stopped here. Either it saw them or
    // this recordLaunch saw the CANCELLED run, since the ledger orders the two writes.
    await stopRunTasks(deps, job, run, `ecs-jobs: replaced by run ${run.cancelledBy ?? "a newer run"}`);
  }
  return run;
}

/**
 * Whether a run's launch stopped short and nobody is on it: batches left and the lease passed. A run
 * without recorded progress (launched before it was recorded) is not: see interruptedLaunch in the sweeper.
 */
export function stalledLaunch(run: Run, now: Date): LaunchProgress | undefined {
  const p = run.launch;
  if (!p || isFinal(run.status) || p.done >= p.batches) return undefined;
  return Date.parse(p.leaseUntil) <= now.getTime() ? p : undefined;
}

/** Sends the batches of `run` not recorded yet, as launchRun would have; the concurrency policy was applied. */
export async function continueLaunch(deps: LaunchDeps, job: Job, run: Run, stopBy?: Date): Promise<Run> {
  deps.log.appendKeys({ job: job.name, runId: run.runId });
  // A retry after a Spot interruption goes on as it began: on on-demand capacity (its note says so).
  const onDemand = run.notes?.includes(ON_DEMAND_NOTE) === true;
  const requests = runTaskRequests(job, run.runId, run.overrides)
    .map((r) => r.input as RunTaskCommandInput)
    .map((r) => (onDemand ? onDemandRequest(r) : r));
  deps.log.warn("continuing a launch that stopped short", {
    done: run.launch?.done ?? 0,
    batches: requests.length,
  });
  return sendRequests(deps, job, run, requests, [], stopBy);
}

async function skip(deps: LaunchDeps, runId: string, others: string): Promise<Run> {
  const note = `skipped: run(s) ${others} still active and policy.concurrency is forbid`;
  deps.log.info("concurrency forbids a second run; skipped", { activeRuns: others });
  await deps.ledger.recordLaunch(runId, { tasks: [], failures: [], notes: [note] });
  const { run } = await deps.ledger.finish(runId, "SKIPPED", {
    hint: `Run(s) ${others} of this job were still active, and policy.concurrency is forbid. Wait for them to finish, or use concurrency replace or allow.`,
  });
  return run;
}

/**
 * forbid: SKIPPED when another run of the job is active. replace: the active run is CANCELLED and its tasks
 * stopped first. Both go through the ledger's one slot per job: ListTasks cannot see a run launched a moment
 * ago by a simultaneous trigger; the slot can. It lapses after the run's timeout (plus a margin), should the
 * run never be marked final.
 */
async function applyConcurrency(
  deps: LaunchDeps,
  job: Job,
  runId: string,
): Promise<{ skipped: Run } | { notes: string[] }> {
  const concurrency = job.spec.policy.concurrency;
  if (concurrency === "allow") return { notes: [] };
  const minutes = (job.spec.policy.timeoutMinutes ?? 24 * 60) + 15;
  const now = deps.now();
  const until = new Date(now.getTime() + minutes * 60_000);
  if (concurrency === "replace") return replacePrevious(deps, job, runId, { now, until });
  const slot = await deps.ledger.claimJobSlot(job.name, runId, { now, until });
  if (!slot.taken) return { skipped: await skip(deps, runId, slot.holder) };
  // A retried invocation must not count its own tasks as another run.
  const active = await findActiveTasks(deps, job, runId);
  if (active.length === 0) return { notes: [] };
  return { skipped: await skip(deps, runId, runIdsOf(active).join(", ")) };
}

/**
 * replace: takes the job's slot from whichever run holds it and cancels that run (stop-run.ts). Of N
 * simultaneous triggers each takes the slot from exactly one predecessor, so each run but the last holder is
 * cancelled by its successor: at most one run of the job is left running.
 */
async function replacePrevious(
  deps: LaunchDeps,
  job: Job,
  runId: string,
  at: { now: Date; until: Date },
): Promise<{ notes: string[] }> {
  const { previous } = await deps.ledger.takeJobSlot(job.name, runId, at);
  const old = previous ? await deps.ledger.get(previous) : undefined;
  if (!old || isFinal(old.status)) return { notes: [] };
  try {
    const { stoppedTasks } = await cancelRun(deps, job, old, { cancelledBy: runId });
    deps.log.info("concurrency replace: cancelled the active run", {
      replaced: old.runId,
      tasks: stoppedTasks.length,
    });
    return { notes: [`replaced run ${old.runId}: ${stoppedTasks.length} task(s) stopped`] };
  } catch (error) {
    // It ended on its own between the read and the cancel: nothing to replace.
    if (error instanceof ConflictError) return { notes: [] };
    throw error;
  }
}

async function sendRequests(
  deps: LaunchDeps,
  job: Job,
  stored: Run,
  requests: readonly RunTaskCommandInput[],
  notes: string[],
  stopBy?: Date,
): Promise<Run> {
  const runId = stored.runId;
  // A batch is recorded in one write with the progress that counts it, so batches from `done` on have
  // recorded nothing yet. Only a run without progress (launched before it was recorded) re-sends batches
  // whose failures are in the ledger already.
  const oldFailures = new AlreadyRecorded<RunFailure>(stored.launch ? [] : stored.failures);
  const oldNotes = new AlreadyRecorded<string>(stored.notes ?? []);
  let pendingNotes = notes;
  let run = stored;
  let placed = stored.tasks.length;
  const first = Math.min(stored.launch?.done ?? 0, requests.length);
  for (let batch = first; batch < requests.length; batch++) {
    const input = requests[batch] as RunTaskCommandInput;
    const result = await launchBatch(deps, job, input);
    if ("rejected" in result) {
      const { name, message, transient } = result.rejected;
      const unlaunched = requests.slice(batch).reduce((n, r) => n + (r.count ?? 1), 0);
      const where = `RunTask on cluster ${job.spec.task.cluster} (batch ${batch + 1} of ${requests.length})`;
      const failure = { reason: name, detail: transient ? `${where}: ${message.split("\n")[0]}` : message };
      // An outage's own words go in the log too (the local emulator names the state file it cannot write);
      // a refusal's message, which may quote the request, stays in the run's failures only.
      deps.log.error(
        transient
          ? "RunTask failed after the SDK's retries; the run failed"
          : "ECS rejected RunTask; the run failed",
        { batch, error: name, ...(transient && { detail: failure.detail }) },
      );
      const hint = apiErrorHint(name, message, { transient, where });
      return endRejected(deps, runId, placed, unlaunched, failure, hint, pendingNotes, {
        oldFailures,
        oldNotes,
        progress: progressOf(deps, requests.length, requests.length),
      });
    }
    placed += result.tasks.length;
    deps.log.info("RunTask answered", {
      batch,
      asked: input.count,
      placed: result.tasks.length,
      failed: result.failures.length,
    });
    const fresh = oldNotes.fresh([...pendingNotes, ...result.notes]);
    const last = batch === requests.length - 1;
    // Out of time with batches left: this batch's record hands them off (its lease ends now, so the next
    // sweep continues from here). One write: a second record with no tasks after it, as before, doubled the
    // writes of a launch the sweeper continues, which records every one of its batches this way.
    const handOff = !last && stopBy !== undefined && deps.now() >= stopBy;
    // Between batches only the run's status is read (below, after the last): its tasks are asked for with
    // the last batch, or the hand-off's (its caller answers with the run), not after each of a many-task
    // run's batches.
    run = await deps.ledger.recordLaunch(
      runId,
      {
        tasks: result.tasks,
        failures: oldFailures.fresh(result.failures),
        ...(fresh.length > 0 && { notes: fresh }),
        progress: progressOf(deps, requests.length, batch + 1, handOff ? 0 : LAUNCH_LEASE_MS),
      },
      { allTasks: last || handOff },
    );
    pendingNotes = [];
    if (handOff) {
      deps.log.info("launch handed off; the sweeper continues it", {
        done: batch + 1,
        batches: requests.length,
      });
      return run;
    }
  }
  if (placed === 0 && !isFinal(run.status)) {
    // Padding makes the aggregate finish an all-failed run; this only guards against a ledger that does not.
    const { run: failed } = await deps.ledger.finish(runId, "FAILED", {
      hint: formatHint(hintFor({ failures: run.failures })),
    });
    return failed;
  }
  return run;
}

/** A 4xx ends the run: FAILED at once when nothing runs, else the unlaunched tasks count as failures. */
async function endRejected(
  deps: LaunchDeps,
  runId: string,
  placed: number,
  unlaunched: number,
  failure: RunFailure,
  hint: string,
  notes: string[],
  old: {
    oldFailures: AlreadyRecorded<RunFailure>;
    oldNotes: AlreadyRecorded<string>;
    progress: LaunchProgress;
  },
): Promise<Run> {
  const freshNotes = old.oldNotes.fresh(notes);
  if (placed === 0) {
    await deps.ledger.recordLaunch(runId, {
      tasks: [],
      failures: [],
      ...(freshNotes.length > 0 && { notes: freshNotes }),
      progress: old.progress,
    });
    const { run } = await deps.ledger.finish(runId, "FAILED", {
      hint,
      failures: old.oldFailures.fresh([failure]),
    });
    return run;
  }
  return deps.ledger.recordLaunch(runId, {
    tasks: [],
    failures: old.oldFailures.fresh(Array.from({ length: unlaunched }, () => ({ ...failure }))),
    ...(freshNotes.length > 0 && { notes: freshNotes }),
    progress: old.progress,
  });
}
