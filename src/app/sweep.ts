/**
 * The sweeper, once a minute: launches that stopped short are continued, or their run ended
 * (interrupted-launch.ts); active runs that are due have their tasks described, to apply task events
 * that were lost (reconcile.ts); active runs past their deadlines end TIMED_OUT or MISSED (deadlines.ts),
 * running ones past twice their usual duration alert SLOW (slow.ts), and fire times of enabled schedules
 * with no run become MISSED runs (missed.ts). One run's or job's failure does not stop the others; the
 * errors are collected, and the handler fails the invocation if there were any.
 */

import { isFinal, type Run } from "../runs/model.ts";
import { scheduleNameFor } from "../scheduler/schedules.ts";
import { enforceDeadline, passedDeadline } from "./deadlines.ts";
import { continueStalledLaunches, endInterruptedLaunch } from "./interrupted-launch.ts";
import { enabledSchedules, reportMissed } from "./missed.ts";
import type { RunEndDeps } from "./on-run-final.ts";
import { dueForReconcile, reconcileRun } from "./reconcile.ts";
import { checkSlow } from "./slow.ts";

/**
 * How long one sweep spends continuing launches, all runs together: the sweeper function has 120 s, and the
 * rest of its work must fit too. A launch not finished by then is continued by the next sweep.
 */
export const SWEEP_LAUNCH_BUDGET_MS = 60_000;

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
  /** MISSED runs created for fire times that had no run. */
  missedFireTimes: Run[];
  errors: { where: string; error: unknown }[];
}

export async function sweep(deps: RunEndDeps): Promise<SweepReport> {
  const report: SweepReport = {
    continued: [],
    interrupted: [],
    reconciled: [],
    timedOut: [],
    missed: [],
    slow: [],
    missedFireTimes: [],
    errors: [],
  };
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
  const continued = await continueStalledLaunches(deps, active, launchesStopBy, (runId, error) =>
    failed(`launch of ${runId}`, error),
  );
  report.continued.push(...continued.keys());
  for (const listed of active) {
    const job = deps.catalog.get(listed.job);
    if (!job) continue;
    await attempt(`run ${listed.runId}`, async () => {
      let run = continued.get(listed.runId) ?? listed;
      if (isFinal(run.status)) return;
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
  if (scheduled.length > 0) {
    await attempt("ListSchedules", async () => {
      const enabled = await enabledSchedules(deps);
      for (const job of scheduled) {
        const info = enabled.get(scheduleNameFor(job.name));
        if (!info) continue;
        await attempt(`missed fire times of ${job.name}`, async () => {
          report.missedFireTimes.push(...(await reportMissed(deps, job, info)));
        });
      }
    });
  }
  return report;
}
