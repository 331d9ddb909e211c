/**
 * What happens once a run is final, whoever made it final (a task event, the sweeper, the launcher):
 * the next attempt when policy.retries says so — and then no alert — otherwise the alert for how it ended
 * (FAILED, TIMED_OUT, MISSED, or RECOVERED after a failure; with `notify: change` only a streak's first
 * failure and its recovery) and the pause check. Failure alerts say what changed since the last success.
 *
 * It runs at most once to completion per run: a claim (DONE) is taken first, so the many events that
 * follow a final run cost one conditional write each. If a step fails, the claim is released and the error
 * thrown, so the invocation is retried; each step has its own claim, so nothing done is done twice.
 */

import { changesSinceSuccess } from "../alerts/changes.ts";
import { deliverAlert } from "../alerts/deliver.ts";
import { type AlertKind, alertWanted } from "../alerts/kinds.ts";
import type { Catalog } from "../catalog/catalog.ts";
import { EcsJobsError } from "../errors.ts";
import type { Job } from "../jobspec/schema.ts";
import { isFailure, loadJobRuns, previousOutcome } from "../ledger/history.ts";
import { isFinal, type Run } from "../runs/model.ts";
import { retryDelayFor } from "../runs/retry-delay.ts";
import type { RetryDue } from "../triggers/retry-due.ts";
import { launchRun } from "./launch-run.ts";
import { lastSuccessBefore, opensStreak, previousDecisive } from "./notify.ts";
import { type PauseOnFailureDeps, pauseIfFailing } from "./pause.ts";
import {
  launchRetry,
  RETRY_CLAIM,
  type RelaunchDeps,
  type RetryTimer,
  retryConditionFor,
  retryRequest,
} from "./retry.ts";

/**
 * What a run's end touches, and so every use case that can end a run (task events, the sweeper, the
 * launchers): the next attempt's launch, the alert channels, the job's schedule (pause), the catalogue.
 */
export type RunEndDeps = RelaunchDeps &
  PauseOnFailureDeps & {
    catalog: Catalog;
    /** Absent (the CLI, most tests), a retry is launched at once whatever its delay. */
    retryTimer?: RetryTimer;
    /** Jitter source for retry delays; Math.random unless a test pins it. */
    random?: () => number;
  };

export const DONE_CLAIM = "DONE";

/** RECOVERED is sent when listed in alerts.on, and always with notify: change. */
const recoveryWanted = (job: Job): boolean => alertWanted(job, "RECOVERED");

const attemptText = (run: Run) => (run.attempt > 1 ? ` (attempt ${run.attempt})` : "");

function failureSummary(run: Run): string {
  const what = run.status === "TIMED_OUT" ? "timed out" : run.status === "MISSED" ? "was missed" : "failed";
  return `${run.job} run ${run.runId} ${what}${attemptText(run)}${run.hint ? `: ${run.hint}` : "."}`;
}

/** A job's runs, newest first, read until `enough` or a few pages: what alerting decisions look at. */
const HISTORY_MAX = 200;

async function alertOutcome(deps: RunEndDeps, job: Job, run: Run, note?: string): Promise<void> {
  const { notify } = job.spec.alerts;
  if (isFailure(run)) {
    if (!alertWanted(job, run.status as AlertKind)) return;
    const withChanges = run.status !== "MISSED";
    // One read serves both questions: is this the streak's first failure, and what ran at the last success.
    const runs = await loadJobRuns(deps.ledger, job.name, {
      max: HISTORY_MAX,
      current: run,
      enough: (rs) =>
        (notify === "every" || previousDecisive(rs, run) !== undefined) &&
        (!withChanges || lastSuccessBefore(rs, run) !== undefined),
    });
    if (notify === "change" && !opensStreak(runs, run)) {
      deps.log.info("failure alert not sent: the job failed before and has not succeeded since", {
        runId: run.runId,
        job: job.name,
        previous: previousDecisive(runs, run)?.runId,
      });
      return;
    }
    const summary = failureSummary(run) + (note ? ` ${note}` : "");
    await deliverAlert(deps, {
      kind: run.status as AlertKind,
      job,
      run,
      summary,
      withLogs: run.status !== "MISSED",
      ...(withChanges && { changes: changesSinceSuccess(run, lastSuccessBefore(runs, run)) }),
    });
    return;
  }
  // notify: change promises the recovery as well, whether or not `on` lists RECOVERED.
  if (run.status !== "SUCCEEDED" || !recoveryWanted(job)) return;
  const runs = await loadJobRuns(deps.ledger, job.name, {
    max: HISTORY_MAX,
    current: run,
    enough: (rs) => previousOutcome(rs, run) !== undefined,
  });
  const previous = previousOutcome(runs, run);
  if (!previous || !isFailure(previous)) return;
  await deliverAlert(deps, {
    kind: "RECOVERED",
    job,
    run,
    summary: `${job.name} run ${run.runId} succeeded after ${previous.status} run ${previous.runId}.`,
  });
}

/** Acts on a final run; a no-op for a run that is not final or was already acted on. */
export async function onRunFinal(deps: RunEndDeps, run: Run): Promise<void> {
  if (!isFinal(run.status)) return;
  const job = deps.catalog.get(run.job);
  if (!job) {
    deps.log.warn("run of a job this deployment does not know; no retry or alert", { job: run.job });
    return;
  }
  // A success leads to nothing but a RECOVERED alert (no retry, no pause): without one, skip the claim's write.
  if (run.status === "SUCCEEDED" && !recoveryWanted(job)) return;
  if (!(await deps.ledger.claimAlert(run.runId, DONE_CLAIM))) return;
  try {
    let note: string | undefined;
    if (retryConditionFor(job, run)) {
      const delay = deps.retryTimer ? retryDelayFor(job, run, deps.random ?? Math.random) : 0;
      if (delay > 0) {
        await delayRetry(deps, job, run, delay);
        return;
      }
      const retry = await launchRetry(deps, job, run);
      if ("launched" in retry) {
        // An attempt that failed at launch gets no task event: act on it here.
        await onRunFinal(deps, retry.launched);
        return;
      }
      if ("already" in retry) {
        // The attempt was launched by an earlier delivery that failed afterwards: finish its work.
        const next = await deps.ledger.get(retry.already);
        if (next) await onRunFinal(deps, next);
        return;
      }
      note = `No retry: ${retry.refused}`;
    }
    await alertOutcome(deps, job, run, note);
    await pauseIfFailing(deps, job, run);
  } catch (error) {
    await deps.ledger.releaseAlert(run.runId, DONE_CLAIM);
    throw error;
  }
}

/**
 * Hands the next attempt to the retry timer, once per run (the RETRY claim): it comes back as a RetryDue
 * message after `seconds`, in whichever invocation receives it, however long this one lives.
 */
async function delayRetry(deps: RunEndDeps, job: Job, run: Run, seconds: number): Promise<void> {
  if (!deps.retryTimer || !(await deps.ledger.claimAlert(run.runId, RETRY_CLAIM))) return;
  try {
    await deps.retryTimer.after(seconds, { type: "ecs-jobs.retry-due", runId: run.runId, job: job.name });
  } catch (error) {
    await deps.ledger.releaseAlert(run.runId, RETRY_CLAIM);
    throw error;
  }
  deps.log.info("retry delayed", { runId: run.runId, attempt: run.attempt + 1, delaySeconds: seconds });
}

/**
 * A delayed retry whose time has come: launches the next attempt (its run id is derived from the failed
 * run, so a message delivered twice launches it once) and acts on it if it ended at launch. An attempt
 * that could not even be launched (concurrency forbids it, a domain error) leaves the failed run with no
 * retry: it is alerted and counted as if none were left.
 */
export async function onRetryDue(deps: RunEndDeps, due: RetryDue): Promise<void> {
  const run = await deps.ledger.get(due.runId);
  const job = run && deps.catalog.get(run.job);
  if (!run || !job) {
    deps.log.warn("retry of an unknown run or job; dropped", { runId: due.runId, job: due.job });
    return;
  }
  const launch = deps.launch ?? launchRun;
  let refused: string | undefined;
  try {
    const next = await launch(deps, retryRequest(job, run));
    if (next.status !== "SKIPPED") {
      deps.log.info("delayed retry launched", { runId: run.runId, next: next.runId, attempt: next.attempt });
      await onRunFinal(deps, next);
      return;
    }
    refused = next.hint ?? "the next attempt was skipped";
  } catch (error) {
    if (!(error instanceof EcsJobsError)) throw error;
    refused = error.message;
  }
  await alertOutcome(deps, job, run, `No retry: ${refused}`);
  await pauseIfFailing(deps, job, run);
}

/**
 * For callers that answer a person (HTTP, CLI): a run final at launch is acted on like onRunFinal, but a
 * failing alert or retry is logged, not thrown — the run was recorded and the answer must say so.
 */
export async function settleLaunched(deps: RunEndDeps, run: Run): Promise<void> {
  try {
    await onRunFinal(deps, run);
  } catch (error) {
    deps.log.error("acting on a run that ended at launch failed (no retry, alert or pause check)", {
      runId: run.runId,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}
