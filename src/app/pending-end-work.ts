/**
 * The sweeper's part in a run's end-work (src/ledger/end-work.ts): a final run still listed has end-work
 * that the step which ended it did not finish (its claim's write, the alert, the retry or the pause check
 * failed). It is done again here, once: each step of it has its claim, so what was done is not redone.
 */
import type { Run } from "../runs/model.ts";
import { onRunFinal, type RunEndDeps } from "./on-run-final.ts";

/**
 * How long a final run's DONE claim may be held by an end-work under way elsewhere: longer than any
 * function runs (Lambda's 15 minutes). Held longer, it is work that finished but failed to remove the mark
 * (or died with the claim held, which no one can redo): the mark is removed, and the run leaves the list.
 */
export const END_WORK_HELD_MS = 15 * 60_000;

/** Redoes the pending end-work of a final run; throws when it fails again (the run stays listed). */
export async function redoEndWork(deps: RunEndDeps, run: Run): Promise<void> {
  if ((await onRunFinal(deps, run)) === "done") return;
  const endedAt = Date.parse(run.stoppedAt ?? run.createdAt);
  if (deps.now().getTime() - endedAt >= END_WORK_HELD_MS) await deps.ledger.endWorkDone(run.runId);
}
