/**
 * Several task states applied to a run in one go, exactly as one after the other: each is merged by its
 * version (stale and duplicate ones change nothing) and the run's status is derived again after each, so a
 * batch ends where the same events delivered singly would.
 */
import { withAggregate } from "./aggregate.ts";
import { applyTaskEvent } from "./apply-event.ts";
import type { EcsTaskDetail } from "./events.ts";
import type { Run } from "./model.ts";

/** The run after `details`, or undefined when none of them changes it. */
export function foldTaskEvents(run: Run, details: readonly EcsTaskDetail[]): Run | undefined {
  let current = run;
  let changed = false;
  for (const detail of details) {
    const applied = applyTaskEvent(current, detail);
    if (applied === "stale" || applied === "duplicate") continue;
    current = withAggregate(applied);
    changed = true;
  }
  return changed ? current : undefined;
}
