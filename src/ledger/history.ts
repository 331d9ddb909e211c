/**
 * Reading a job's past runs for decisions (pause after N failures, RECOVERED, SLOW). A retried run is
 * one outcome, decided by its newest attempt: a lineage that failed, was retried and then succeeded
 * counts as one success, not as a failure and a success.
 */

import { isFinal, type Run } from "../runs/model.ts";
import type { RunLedger } from "./ledger.ts";

const PAGE = 100;

const newestFirst = (a: Run, b: Run) =>
  a.createdAt === b.createdAt ? (a.runId < b.runId ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1;

/**
 * A job's runs, newest first, read page by page until `enough` says so or `max` runs were read.
 * `current` replaces its stored copy (or joins the list): a run that just changed may not be visible yet
 * in an eventually consistent index.
 */
export async function loadJobRuns(
  ledger: RunLedger,
  job: string,
  options: { max: number; current?: Run; enough?: (runs: readonly Run[]) => boolean },
): Promise<Run[]> {
  const runs: Run[] = [];
  let next: string | undefined;
  do {
    const page = await ledger.listByJob(job, { limit: PAGE, ...(next && { next }) });
    runs.push(...page.runs);
    next = page.next;
  } while (next && runs.length < options.max && !options.enough?.(runs));
  const current = options.current;
  if (!current) return runs;
  return [...runs.filter((r) => r.runId !== current.runId), current].sort(newestFirst);
}

export const lineageOf = (run: Run): string => run.lineageId ?? run.runId;

/** The outcome of each lineage, newest first; lineages still in progress are left out. */
export function lineageOutcomes(runs: readonly Run[]): Run[] {
  const seen = new Set<string>();
  const out: Run[] = [];
  for (const run of runs) {
    const lineage = lineageOf(run);
    if (seen.has(lineage)) continue;
    seen.add(lineage);
    if (isFinal(run.status)) out.push(run);
  }
  return out;
}

export const isFailure = (run: Run): boolean =>
  run.status === "FAILED" || run.status === "TIMED_OUT" || run.status === "MISSED";

/** Runs that ended without an outcome of their own: skipped by concurrency, or stopped on purpose. */
const noOutcome = (run: Run): boolean => run.status === "SKIPPED" || run.status === "CANCELLED";

/**
 * How many failed outcomes in a row end the history (SKIPPED and CANCELLED runs neither break nor extend a
 * streak: a stopped run says nothing about whether the job works),
 * counting only runs created after `since` when given.
 */
export function failureStreak(runs: readonly Run[], since?: Date): number {
  let streak = 0;
  for (const run of lineageOutcomes(runs)) {
    if (since && Date.parse(run.createdAt) <= since.getTime()) break;
    if (noOutcome(run)) continue;
    if (!isFailure(run)) break;
    streak++;
  }
  return streak;
}

/** The outcome before `run`'s lineage: what a success recovers from. */
export function previousOutcome(runs: readonly Run[], run: Run): Run | undefined {
  const lineage = lineageOf(run);
  const after = runs.findIndex((r) => lineageOf(r) === lineage);
  return lineageOutcomes(runs.slice(after + 1).filter((r) => lineageOf(r) !== lineage)).find(
    (r) => !noOutcome(r),
  );
}
