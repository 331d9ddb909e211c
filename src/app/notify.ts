/**
 * alerts.notify (SPEC section 6): `every` failed run alerts; `change` alerts a streak's first failure (the
 * job's first outcome ever, or the first after a success) and its recovery, and nothing for the failures in
 * between. Decided from the ledger, by creation time — not by the order runs happened to end or their events
 * arrived — so duplicates and late events decide the same way. Pure: the caller reads the runs.
 */
import { isFailure, lineageOf, lineageOutcomes } from "../ledger/history.ts";
import type { Run } from "../runs/model.ts";

/** Outcomes that start or end a streak; anything else (SKIPPED, a run stopped on purpose) does neither. */
const decides = (run: Run): boolean => run.status === "SUCCEEDED" || isFailure(run);

/** Runs older than `run`'s lineage, newest first. `runs` is newest first and holds `run`. */
function before(runs: readonly Run[], run: Run): Run[] {
  const lineage = lineageOf(run);
  const at = runs.findIndex((r) => lineageOf(r) === lineage);
  return runs.slice(at + 1).filter((r) => lineageOf(r) !== lineage);
}

/** The finished outcome before `run` that a streak is judged by; undefined when there is none. */
export function previousDecisive(runs: readonly Run[], run: Run): Run | undefined {
  return lineageOutcomes(before(runs, run)).find(decides);
}

/** Whether a failed `run` opens a streak: nothing decisive before it, or a success. */
export function opensStreak(runs: readonly Run[], run: Run): boolean {
  const previous = previousDecisive(runs, run);
  return previous === undefined || previous.status === "SUCCEEDED";
}

/** The job's last successful run created before `run`, if any was read. */
export function lastSuccessBefore(runs: readonly Run[], run: Run): Run | undefined {
  return lineageOutcomes(before(runs, run)).find((r) => r.status === "SUCCEEDED");
}
