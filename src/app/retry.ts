/**
 * policy.retries, in the manner of AWS Batch's evaluateOnExit: a run that ended FAILED or TIMED_OUT for a
 * listed reason is launched again, up to `attempts` more times. Conditions: a task stop code
 * (SpotInterruption …), `exit:N` (an essential container's exit code), `reason:GLOB` (`*` matches any
 * text; matched whole against stopped reasons, container reasons and RunTask failures) and `TimedOut`.
 */

import { EcsJobsError } from "../errors.ts";
import type { Job } from "../jobspec/schema.ts";
import type { Run } from "../runs/model.ts";
import { runIdFor } from "../runs/run-id.ts";
import type { RetryDue } from "../triggers/retry-due.ts";
import { type LaunchDeps, type LaunchRequest, launchRun } from "./launch-run.ts";

/** launchRun, or a test's double of it. */
export type LaunchFn = (deps: LaunchDeps, request: LaunchRequest) => Promise<Run>;

/** What launches a run that no trigger asked for (a retry, a catch-up, a backfill); tests replace `launch`. */
export interface RelaunchDeps extends LaunchDeps {
  launch?: LaunchFn;
}

/** Delivers a delayed retry to the status function (an SQS message with DelaySeconds in AWS). */
export interface RetryTimer {
  after(seconds: number, due: RetryDue): Promise<void>;
}

/** The claim that makes "launch the next attempt" happen once per run. */
export const RETRY_CLAIM = "RETRY";

const globToRegExp = (glob: string): RegExp =>
  new RegExp(
    `^${glob
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
    "s",
  );

function messagesOf(run: Run): string[] {
  return [
    ...run.tasks.flatMap((t) => [t.stoppedReason, ...t.containers.map((c) => c.reason)]),
    ...run.failures.flatMap((f) => [f.reason, f.detail]),
  ].filter((m): m is string => typeof m === "string" && m !== "");
}

/** The first condition of `on` that the run meets, if any. */
export function matchRetryCondition(run: Run, on: readonly string[]): string | undefined {
  if (run.status !== "FAILED" && run.status !== "TIMED_OUT") return undefined;
  return on.find((condition) => {
    if (condition === "TimedOut") return run.status === "TIMED_OUT";
    if (condition.startsWith("exit:")) {
      const code = Number(condition.slice(5));
      return run.tasks.some((t) => t.containers.some((c) => c.essential !== false && c.exitCode === code));
    }
    if (condition.startsWith("reason:")) {
      const pattern = globToRegExp(condition.slice(7));
      return messagesOf(run).some((m) => pattern.test(m));
    }
    return run.tasks.some((t) => t.stopCode === condition);
  });
}

/** Whether the run gets another attempt: a matching condition and attempts left. */
export function retryConditionFor(job: Job, run: Run): string | undefined {
  const retries = job.spec.policy.retries;
  if (!retries || run.attempt > retries.attempts) return undefined;
  // A StartTask run belongs to one container instance; another attempt elsewhere is not the same run.
  if (run.trigger.kind === "instanceLaunch") return undefined;
  return matchRetryCondition(run, retries.on);
}

/** policy.spotFallback: an attempt that Spot interrupted is retried on on-demand capacity. */
const spotInterrupted = (job: Job, run: Run): boolean =>
  job.spec.policy.spotFallback && run.tasks.some((t) => t.stopCode === "SpotInterruption");

/** The next attempt's launch request: the same on every delivery, so a repeated launch finds the same run. */
export function retryRequest(job: Job, run: Run): LaunchRequest & { attempt: number; at: Date } {
  return {
    job,
    trigger: { kind: "retry", id: run.runId, ...(run.trigger.by && { by: run.trigger.by }) },
    attempt: run.attempt + 1,
    lineageId: run.lineageId ?? run.runId,
    at: new Date(run.stoppedAt ?? run.createdAt),
    // The next attempt runs what was asked for (count, command, environment), not just the job's defaults.
    ...(run.overrides && { overrides: run.overrides }),
    ...(spotInterrupted(job, run) && { onDemand: true }),
  };
}

/** The id the next attempt of `run` gets (the launcher derives it from the request the same way). */
export function retryRunId(job: Job, run: Run): string {
  const req = retryRequest(job, run);
  return runIdFor(job.name, req.trigger, req.at, req.attempt);
}

/**
 * Launches the next attempt once per run. `already`: an earlier delivery launched it (its id is given);
 * `refused`: no attempt was made (the concurrency policy skipped it, or a domain error) — the caller then
 * alerts as if no attempt were left.
 */
export async function launchRetry(
  deps: RelaunchDeps,
  job: Job,
  run: Run,
): Promise<{ launched: Run } | { already: string } | { refused: string }> {
  if (!(await deps.ledger.claimAlert(run.runId, RETRY_CLAIM))) return { already: retryRunId(job, run) };
  const launch = deps.launch ?? launchRun;
  try {
    const next = await launch(deps, retryRequest(job, run));
    if (next.status === "SKIPPED") return { refused: next.hint ?? "the next attempt was skipped" };
    deps.log.info("retry launched", { runId: run.runId, next: next.runId, attempt: next.attempt });
    return { launched: next };
  } catch (error) {
    if (error instanceof EcsJobsError) return { refused: error.message };
    // A transient failure: let the invocation be retried, and the retry launch the attempt.
    await deps.ledger.releaseAlert(run.runId, RETRY_CLAIM);
    throw error;
  }
}
