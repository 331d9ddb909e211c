/**
 * The sweeper, once a minute: launches that stopped short are continued, or their run ended
 * (interrupted-launch.ts), and so are starts on an instance whose every delivery failed
 * (start-on-instance.ts); active runs that are due have their tasks described, to apply task events that
 * were lost (reconcile.ts); active runs past their deadlines end TIMED_OUT or MISSED (deadlines.ts),
 * running ones past twice their usual duration alert SLOW (slow.ts), and fire times of enabled schedules
 * with no run become MISSED runs (missed.ts). Final runs still listed have end-work that failed when they
 * ended (src/ledger/end-work.ts): it is done again (pending-end-work.ts); or, TIMED_OUT or CANCELLED, a
 * StopTask that failed: it is sent again (owed-stops.ts). One run's or job's failure does
 * not stop the others; the errors are collected, and the handler fails the invocation if there were any.
 *
 * A sweep can be told to stop (its host closing, its invocation's time running short): it stops between two
 * runs' steps, never inside one, so every run is either swept or untouched and no launch is left half
 * recorded. What it did not reach is in `leftRuns` / `leftJobs`; the next sweep does it.
 */

import { isFinal, type Run } from "../runs/model.ts";
import { scheduleNameFor } from "../scheduler/schedules.ts";
import { enforceDeadline, passedDeadline } from "./deadlines.ts";
import { continueStalledLaunches, endInterruptedLaunch } from "./interrupted-launch.ts";
import { enabledSchedules, reportMissed } from "./missed.ts";
import { onRunFinal, type RunEndDeps } from "./on-run-final.ts";
import { retryOwedStop } from "./owed-stops.ts";
import { redoEndWork } from "./pending-end-work.ts";
import { dueForReconcile, reconcileRun } from "./reconcile.ts";
import { checkSlow } from "./slow.ts";
import { resumeStart, unfinishedStart } from "./start-on-instance.ts";

/**
 * How long one sweep spends continuing launches, all runs together: the sweeper function has 120 s, and the
 * rest of its work must fit too. A launch not finished by then is continued by the next sweep.
 */
export const SWEEP_LAUNCH_BUDGET_MS = 60_000;

/**
 * Time a sweep keeps for the run whose step it begins last: a reconcile (DescribeTasks with the SDK's
 * retries), a timeout's StopTask calls and ledger write, the run's end (alerts, a webhook, a retry's launch).
 * With less left than this it begins no more runs, rather than be cut off by Lambda mid-write.
 */
export const SWEEP_STEP_RESERVE_MS = 20_000;

export interface SweepLimits {
  /** Aborted when the host stops (the local stack's close): the sweep stops at its next safe point. */
  signal?: AbortSignal;
  /** The invocation's time left (Lambda's `context.getRemainingTimeInMillis`), asked between runs. */
  remainingMs?: () => number;
}

export interface SweepReport {
  /** Runs whose stalled launch was continued. */
  continued: string[];
  /** Runs whose launch was interrupted with no progress recorded: ended with the missing tasks failed. */
  interrupted: string[];
  /** Runs that lost task events, and got them back from DescribeTasks. */
  reconciled: string[];
  timedOut: string[];
  missed: string[];
  slow: string[];
  /** Final runs whose end-work, which failed when they ended, was done again. */
  endWork: string[];
  /** TIMED_OUT or CANCELLED runs whose StopTask, which failed when they ended, was sent again and taken. */
  stopped: string[];
  /** MISSED runs created for fire times that had no run. */
  missedFireTimes: Run[];
  /** Active runs the sweep stopped before (cancelled or out of time): the next sweep's. */
  leftRuns: string[];
  /** Scheduled jobs whose missed fire times the sweep stopped before checking. */
  leftJobs: string[];
  errors: { where: string; error: unknown }[];
}

export async function sweep(deps: RunEndDeps, limits: SweepLimits = {}): Promise<SweepReport> {
  const report: SweepReport = {
    continued: [],
    interrupted: [],
    reconciled: [],
    timedOut: [],
    missed: [],
    slow: [],
    endWork: [],
    stopped: [],
    missedFireTimes: [],
    leftRuns: [],
    leftJobs: [],
    errors: [],
  };
  const stopped = () =>
    limits.signal?.aborted === true ||
    (limits.remainingMs?.() ?? Number.POSITIVE_INFINITY) < SWEEP_STEP_RESERVE_MS;
  // The error itself, not its String(): the logger writes its name, message, code, stack and cause, which is
  // what tells a refused connection from a throttle or a bug.
  const failed = (where: string, error: unknown) => {
    deps.log.error("sweeper step failed", { where, error });
    report.errors.push({ where, error });
  };
  const attempt = async (where: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (error) {
      failed(where, error);
    }
  };

  const usual = new Map<string, Promise<number | undefined>>();
  const active = await deps.ledger.listActive();
  const launchesStopBy = new Date(deps.now().getTime() + SWEEP_LAUNCH_BUDGET_MS);
  const continued = await continueStalledLaunches(
    deps,
    active,
    launchesStopBy,
    (runId, error) => failed(`launch of ${runId}`, error),
    stopped,
  );
  report.continued.push(...continued.keys());
  for (const [i, listed] of active.entries()) {
    if (stopped()) {
      report.leftRuns.push(...active.slice(i).map((r) => r.runId));
      break;
    }
    // Listed though final: its stop or its end-work is pending (listActive lists no other final run).
    if (isFinal(listed.status)) {
      if (listed.stopOwed)
        await attempt(`stop of run ${listed.runId}`, async () => {
          await retryOwedStop(deps, deps.catalog.get(listed.job), listed);
          report.stopped.push(listed.runId);
        });
      if (listed.endWork)
        await attempt(`end-work of run ${listed.runId}`, async () => {
          await redoEndWork(deps, listed);
          report.endWork.push(listed.runId);
        });
      continue;
    }
    const job = deps.catalog.get(listed.job);
    if (!job) continue;
    await attempt(`run ${listed.runId}`, async () => {
      let run = continued.get(listed.runId) ?? listed;
      if (isFinal(run.status)) return;
      if (unfinishedStart(run, deps.now())) {
        run = await resumeStart(deps, job, run);
        report.continued.push(run.runId);
        if (isFinal(run.status)) {
          await onRunFinal(deps, run);
          return;
        }
      }
      const cutShort = await endInterruptedLaunch(deps, run);
      if (cutShort) {
        report.interrupted.push(run.runId);
        run = cutShort;
        if (isFinal(run.status)) return;
      }
      // First what ECS says happened: a run whose last task stopped unseen is not past its deadline.
      const now = deps.now();
      const due = dueForReconcile(run, now, passedDeadline(job, run, now) !== undefined);
      if (due && (await reconcileRun(deps, job, run)).applied > 0) {
        report.reconciled.push(run.runId);
        run = (await deps.ledger.get(run.runId)) ?? run;
        if (isFinal(run.status)) return;
      }
      const ended = await enforceDeadline(deps, job, run);
      if (ended === "TIMED_OUT") report.timedOut.push(run.runId);
      else if (ended === "MISSED") report.missed.push(run.runId);
      else if (await checkSlow(deps, job, run, usual)) report.slow.push(run.runId);
    });
  }

  const scheduled = deps.catalog.jobs.filter((j) => j.spec.schedule?.enabled);
  if (scheduled.length > 0 && stopped()) report.leftJobs.push(...scheduled.map((j) => j.name));
  else if (scheduled.length > 0) {
    await attempt("ListSchedules", async () => {
      const enabled = await enabledSchedules(deps);
      for (const [i, job] of scheduled.entries()) {
        if (stopped()) {
          report.leftJobs.push(...scheduled.slice(i).map((j) => j.name));
          break;
        }
        const info = enabled.get(scheduleNameFor(job.name));
        if (!info) continue;
        await attempt(`missed fire times of ${job.name}`, async () => {
          report.missedFireTimes.push(...(await reportMissed(deps, job, info)));
        });
      }
    });
  }
  if (report.leftRuns.length + report.leftJobs.length > 0)
    deps.log.warn("sweep stopped early; the next sweep does the rest", {
      why: limits.signal?.aborted ? "cancelled" : "out of time",
      leftRuns: report.leftRuns.length,
      leftJobs: report.leftJobs.length,
    });
  return report;
}
