/**
 * Where the tasks of a very large run are stored: in parts of their own (items `TASKS#<runId>#<n>`, each a
 * conditional put on its own revision), so that a batch of task events of a 10,000-task run rewrites the
 * parts its tasks are in (each ~1,000 tasks) and a small run item, not one item of every task. The run item
 * keeps, per part, the summary of that part's tasks at a revision of it (src/runs/task-summary.ts), and its
 * status is aggregated from those: the same status, times, hint and cost the whole task list gives.
 *
 * Only runs of more than PART_SIZES.above expected tasks are split: for smaller ones one item is cheaper (a
 * 1-task run costs 5 writes, a 100-task run 0.073 writes per task event, bench/cost/), and the item of the
 * largest of them (1,000 tasks, ~70 KB gzipped with a long stop reason on every task) is far from 400 KB.
 * A task's part is the one filling when it is launched (tasks in launch order, ~`size` to a part), so that a
 * launch batch writes one part, two at a boundary, however long the run. Which part that was is kept in a
 * placement item per task (`TASKPART#<runId>#<taskArn>`), put only if absent by the first writer of the task:
 * its launch, or an event that came before it, which places the task in one of `count` unplaced parts (after
 * the launch parts, by a hash of the ARN). Every later writer, on any instance, finds the task's part there.
 */
import type { RanWith } from "../runs/model.ts";
import type { TaskSummary } from "../runs/task-summary.ts";

/** Runs of more tasks than `above` are split, in parts of about `size` tasks. */
export interface PartSizes {
  above: number;
  size: number;
}

export const PART_SIZES: PartSizes = { above: 1000, size: 1000 };

/** How many parts a run's tasks are stored in: 0 for a run kept in one item. */
export const partCountFor = (expectedTasks: number | undefined, sizes: PartSizes = PART_SIZES): number =>
  expectedTasks !== undefined && expectedTasks > sizes.above ? Math.ceil(expectedTasks / sizes.size) : 0;

export const partKey = (runId: string, part: number): string => `TASKS#${runId}#${part}`;

export const placeKey = (runId: string, taskArn: string): string => `TASKPART#${runId}#${taskArn}`;

/** How many part items a split run may have: its launch parts and as many unplaced ones. */
export const storedPartCount = (parts: TaskParts | undefined): number => (parts?.count ?? 0) * 2;

/** A hash of a task's ARN: FNV-1a (the task id at its end is random hex, so parts fill evenly). */
export function partOf(taskArn: string, parts: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < taskArn.length; i++) {
    hash ^= taskArn.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % parts;
}

/** A part as the run item knows it: the summary of its tasks, and what they ran, at revision `rev` of the part. */
export interface PartSummary {
  rev: number;
  tasks: TaskSummary;
  ran?: RanWith;
}

/** What a split run's item holds besides the run (whose `tasks` is then empty). */
export interface TaskParts {
  /** Launch parts; the unplaced parts are numbered after them (storedPartCount). */
  count: number;
  /** By part number; a part with no entry has no tasks yet. */
  at: Record<string, PartSummary>;
}
