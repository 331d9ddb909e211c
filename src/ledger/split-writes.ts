/**
 * A split run's task events and launch answers (task-parts.ts): a batch writes the parts it touches
 * (split-parts.ts), then the run item once, conditional on its revision (run-revisions.ts), so the write
 * that makes the run final is one write, as for a small run.
 */
import type { EcsTaskDetail } from "../runs/events.ts";
import { foldTaskEvents } from "../runs/fold-events.ts";
import { isFinal } from "../runs/model.ts";
import { mergeRan } from "../runs/ran.ts";
import { aggregateParts, withParts } from "./part-summaries.ts";
import { type LaunchResult, mergeLaunchedTasks, mergeLaunchFacts } from "./record-launch.ts";
import { type Known, plain } from "./run-items.ts";
import { becameFinal, mutate } from "./run-revisions.ts";
import { changeParts, whole } from "./split-parts.ts";
import type { StoreContext } from "./store-context.ts";
import { PART_SIZES, partOf } from "./task-parts.ts";

/**
 * A batch of a split run's task events: each part folds its tasks' events (no status: that is the run's),
 * then the run item takes the parts' new summaries and is aggregated from all of them, in one write. What
 * the tasks ran (`ran`) fills in from every event, in any order (src/runs/ran.ts), in the part of the
 * event's task (PartBody says why), and the run item's from its parts'.
 */
export async function applySplitTaskEvents(
  ctx: StoreContext,
  known: Known,
  details: readonly EcsTaskDetail[],
) {
  const runId = known.run.runId;
  const count = known.run.taskParts?.count ?? 1;
  const parts = await changeParts(
    ctx,
    known,
    details,
    (d) => d.taskArn,
    // A task not yet placed by its launch: one of the unplaced parts, after the launch parts.
    (arn) => count + partOf(arn, count),
    true,
    (body, mine) => {
      const tasks = foldTaskEvents({ ...known.run, tasks: body.tasks }, mine, (r) => r)?.tasks;
      const ran = mine.reduce((r, d) => mergeRan(r, d), body.ran);
      if (!tasks && ran === body.ran) return undefined;
      return { tasks: tasks ?? body.tasks, ...(ran && { ran }) };
    },
  );
  const out = await mutate(
    ctx,
    runId,
    (run) => {
      // The run item already holds each part's `ran` at the revision it holds that part's summary of.
      const next = withParts(run, parts);
      return next && aggregateParts(next);
    },
    true,
  );
  if (!out) return undefined;
  const changed = out.changed || parts.some((p) => p.changed);
  // Whole only once final (what the status handler then acts on): reassembled after every batch of a
  // 10,000-task run's events, the run cost a parse of every part each time, quadratic over the run
  // (16 s of 262 s CPU in a 5,000-task wall-clock fan-out).
  const final = isFinal(out.after.status);
  return {
    run: final ? await whole(ctx, out.after, true) : plain(out.after),
    changed,
    becameFinal: becameFinal(out),
  };
}

/**
 * A split run's launch answer: the tasks into their parts, then the rest, and the parts' summaries. The
 * run is read whole only if `allTasks`; otherwise it comes back with the tasks of no part (its status,
 * progress and failures are the run item's).
 */
export async function recordSplitLaunch(
  ctx: StoreContext,
  known: Known,
  result: LaunchResult,
  allTasks: boolean,
) {
  const count = known.run.taskParts?.count ?? 1;
  const size = ctx.options.taskParts?.size ?? PART_SIZES.size;
  // Tasks fill the parts in launch order: a batch writes the part filling now (two at a boundary), not
  // most parts as a hash of the ARN would. Tasks known so far are those of the parts this run item holds;
  // a stale count only puts a batch in an earlier part, which then holds a few more than `size`.
  const before = Object.values(known.run.taskParts?.at ?? {}).reduce((n, p) => n + p.tasks.tasks, 0);
  const parts = await changeParts(
    ctx,
    known,
    result.tasks,
    (t) => t.taskArn,
    (_, i) => Math.min(count - 1, Math.floor((before + i) / size)),
    false,
    (body, mine) => {
      const tasks = mergeLaunchedTasks(body.tasks, mine);
      return JSON.stringify(tasks) === JSON.stringify(body.tasks) ? undefined : { ...body, tasks };
    },
  );
  const out = await mutate(ctx, known.run.runId, (run) => {
    const facts = mergeLaunchFacts(run, result);
    const withoutParts = aggregateParts(facts);
    const next = aggregateParts(withParts(facts, parts) ?? facts);
    // The parts' new summaries may hold task events whose own run write has not come yet: ending the run
    // here would leave that write, and so the status handler, without its becameFinal. The events' write
    // brings those summaries; the launch ends the run only by what it says itself (RunTask failures).
    return isFinal(next.status) && !isFinal(withoutParts.status) && !isFinal(run.status)
      ? withoutParts
      : next;
  });
  if (!out) return undefined;
  return allTasks ? whole(ctx, out.after, false) : plain(out.after);
}
