/**
 * One task event through the status path the status handler takes (a batch, here of one): what became of
 * it; when its run could not be written (a ledger or AWS fault), the fault is thrown, as the status handler
 * does for one event delivered straight from EventBridge.
 */

import type { RunEndDeps } from "../../src/app/on-run-final.ts";
import { handleTaskStateChangeBatch, type StatusOutcome } from "../../src/app/on-task-events.ts";

export async function applyEvent(deps: RunEndDeps, event: unknown): Promise<StatusOutcome> {
  const report = await handleTaskStateChangeBatch(deps, [{ id: "the-event", event }]);
  if (report.faults.length > 0) throw report.faults[0];
  const outcomes = Object.keys(report.outcomes) as StatusOutcome[];
  if (outcomes.length !== 1) throw new Error(`one event, outcomes ${JSON.stringify(report.outcomes)}`);
  return outcomes[0] as StatusOutcome;
}
