/**
 * The alert a final run gets (on-run-final.ts): loaded with its modules (delivery, webhook, log lines,
 * changes since the last success) by a dynamic `import()` the first time a run ends in this process, so a
 * cold start that only launches or records does not compile them (BENCHMARKS.md, cold start).
 */

import { changesSinceSuccess } from "../alerts/changes.ts";
import { deliverAlert } from "../alerts/deliver.ts";
import { type AlertKind, alertWanted } from "../alerts/kinds.ts";
import type { Job } from "../jobspec/schema.ts";
import { isFailure, loadJobRuns, previousOutcome } from "../ledger/history.ts";
import type { Run } from "../runs/model.ts";
import { lastSuccessBefore, opensStreak, previousDecisive } from "./notify.ts";
import type { RunEndDeps } from "./on-run-final.ts";

export { pauseIfFailing } from "./pause.ts";

/** RECOVERED is sent when listed in alerts.on, and always with notify: change. */
const recoveryWanted = (job: Job): boolean => alertWanted(job, "RECOVERED");

const attemptText = (run: Run) => (run.attempt > 1 ? ` (attempt ${run.attempt})` : "");

function failureSummary(run: Run): string {
  const what = run.status === "TIMED_OUT" ? "timed out" : run.status === "MISSED" ? "was missed" : "failed";
  return `${run.job} run ${run.runId} ${what}${attemptText(run)}${run.hint ? `: ${run.hint}` : "."}`;
}

/** A job's runs, newest first, read until `enough` or a few pages: what alerting decisions look at. */
const HISTORY_MAX = 200;

export async function alertOutcome(deps: RunEndDeps, job: Job, run: Run, note?: string): Promise<void> {
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
