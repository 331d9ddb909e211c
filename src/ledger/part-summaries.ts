/**
 * A split run's item (task-parts.ts) from its parts' summaries: which of them it takes, and the status,
 * times, hint, cost and `ran` they give it. Pure: the run store's writes (split-writes.ts) apply these.
 */
import { withAggregate } from "../runs/aggregate.ts";
import { combineRan } from "../runs/ran.ts";
import { combineSummaries, EMPTY_SUMMARY, summarizeTasks, type TaskSummary } from "../runs/task-summary.ts";
import type { PartBody, StoredRun } from "./run-items.ts";
import type { PartSummary, TaskParts } from "./task-parts.ts";

/** The summary of all of a split run's tasks, from its parts' summaries. */
const summaryOfParts = (parts: TaskParts): TaskSummary =>
  Object.values(parts.at).reduce((sum, p) => combineSummaries(sum, p.tasks), EMPTY_SUMMARY);

/**
 * A split run's status, times, hint and cost from its parts' summaries, and what its tasks ran from its
 * parts' records of that: every write of the run item that takes a part's summary takes its `ran` too, or
 * a part's facts taken by one write (a launch's) would be missed by the write of their own batch, which
 * then finds that part's revision already in the run item and has nothing to write.
 */
export function aggregateParts(run: StoredRun): StoredRun {
  if (!run.taskParts) return run;
  const ran = Object.values(run.taskParts.at).reduce((r, p) => combineRan(r, p.ran), run.ran);
  return withAggregate({ ...run, ...(ran && { ran }) }, summaryOfParts(run.taskParts));
}

/** The run with its parts' revisions and summaries `changed` taken where newer; undefined when none is. */
export function withParts(
  run: StoredRun,
  changed: readonly (PartSummary & { part: number })[],
): StoredRun | undefined {
  const parts = run.taskParts;
  if (!parts) return undefined;
  const at = { ...parts.at };
  let newer = false;
  for (const p of changed)
    if ((at[p.part]?.rev ?? -1) < p.rev) {
      at[p.part] = { rev: p.rev, tasks: p.tasks, ...(p.ran && { ran: p.ran }) };
      newer = true;
    }
  return newer ? { ...run, taskParts: { count: parts.count, at } } : undefined;
}

/** What the run item keeps of a part at revision `rev`: its tasks' summary and what they ran. */
export const partSummary = (part: number, rev: number, body: PartBody): PartSummary & { part: number } => ({
  part,
  rev,
  tasks: summarizeTasks(body.tasks),
  ...(body.ran && { ran: body.ran }),
});
