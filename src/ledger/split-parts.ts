/**
 * The part items of a split run (task-parts.ts) in storage: each changed as a run item is (a conditional
 * put on its revision, cached the same way), its tasks placed by their placement items, and the run read
 * whole from them.
 */
import { StaleWriteError } from "../errors.ts";
import type { Run, TaskState } from "../runs/model.ts";
import { TTL_ATTRIBUTE } from "./dynamo-table.ts";
import { partSummary } from "./part-summaries.ts";
import { encodeRun } from "./run-codec.ts";
import { type Known, type KnownPart, type PartBody, partFromItem, type StoredRun } from "./run-items.ts";
import { backoff } from "./run-revisions.ts";
import { absent, equals } from "./storage.ts";
import type { StoreContext } from "./store-context.ts";
import { type PartSummary, partKey, placeKey, storedPartCount } from "./task-parts.ts";

/** The run as readers see it: a split run with the tasks of each of its parts. */
export function assemble(run: StoredRun, tasksOf: (part: number) => TaskState[]): Run {
  if (!run.taskParts) return run;
  const { taskParts, ...rest } = run;
  return {
    ...rest,
    tasks: Array.from({ length: storedPartCount(taskParts) }, (_, n) => tasksOf(n)).flat(),
  };
}

/** A split run whole, its parts read now (`fresh`), or taken from this instance's cache where it has them. */
export async function whole(ctx: StoreContext, run: StoredRun, fresh: boolean): Promise<Run> {
  if (!run.taskParts) return run;
  const tasks = await Promise.all(
    Array.from({ length: storedPartCount(run.taskParts) }, async (_, n) => {
      const pk = partKey(run.runId, n);
      const cached = fresh ? undefined : ctx.partCache.peek(pk);
      if (cached) return cached.run.tasks;
      const item = await ctx.storage.get(pk);
      return item ? partFromItem(item).run.tasks : [];
    }),
  );
  return assemble(run, (n) => tasks[n] ?? []);
}

/**
 * One part of a split run changed as a run is: on the cached revision first, a put conditional on it, read
 * and again on a lost race. `change` returns undefined for "nothing to write"; a no-op on a cached copy is
 * taken as final (as for task events: tasks are never removed, and a cached part is an earlier revision).
 * Resolves to the part's revision and summary after, changed or not.
 */
async function changePart(
  ctx: StoreContext,
  runId: string,
  part: number,
  expiresAt: number,
  change: (body: PartBody) => PartBody | undefined,
): Promise<PartSummary & { part: number; changed: boolean }> {
  const pk = partKey(runId, part);
  let known: KnownPart | undefined = ctx.partCache.peek(pk);
  for (let attempt = 0; attempt < ctx.maxAttempts; attempt++) {
    if (!known) {
      const item = await ctx.storage.get(pk);
      known = item ? partFromItem(item) : { rev: -1, run: { tasks: [] }, expiresAt };
    }
    const next = change(known.run);
    if (next === undefined) return { ...partSummary(part, known.rev, known.run), changed: false };
    const json = JSON.stringify(next);
    const rev = known.rev + 1;
    let written: boolean;
    try {
      written = await ctx.storage.put(
        { pk, rev, ...encodeRun(next, json), [TTL_ATTRIBUTE]: known.expiresAt },
        known.rev < 0 ? absent("pk") : equals("rev", known.rev),
      );
    } catch (e) {
      ctx.partCache.forget(pk, known.rev);
      throw e;
    }
    if (written) {
      ctx.partCache.remember(pk, { rev, run: next, expiresAt: known.expiresAt }, json);
      return { ...partSummary(part, rev, next), changed: true };
    }
    ctx.partCache.forget(pk, known.rev);
    known = undefined;
    await backoff(attempt);
  }
  throw new StaleWriteError(
    `tasks of run ${runId}, part ${part}: gave up after ${ctx.maxAttempts} concurrent changes`,
  );
}

/**
 * The parts of these tasks: each task's placement item (task-parts.ts), put only if absent with the part
 * `choose` gives it, so that the first writer of a task (its launch, or an event before it) decides its
 * part for every later one, whichever instance. `lookFirst`: read placements before trying to place (for
 * events, whose tasks are almost always placed already by their launch).
 */
async function placeTasks(
  ctx: StoreContext,
  known: Known,
  arns: readonly string[],
  choose: (arn: string, i: number) => number,
  lookFirst: boolean,
): Promise<Map<string, number>> {
  const runId = known.run.runId;
  const placed = new Map<string, number>();
  const open = [...new Set(arns)].filter((arn) => {
    const n = ctx.placements.get(placeKey(runId, arn));
    if (n !== undefined) placed.set(arn, n);
    return n === undefined;
  });
  const learn = (arn: string, n: number) => {
    placed.set(arn, n);
    ctx.placements.set(placeKey(runId, arn), n);
  };
  if (lookFirst && open.length > 0)
    for (const item of await ctx.storage.getMany(open.map((arn) => placeKey(runId, arn))))
      learn(String(item.taskArn), Number(item.part));
  await Promise.all(
    open.map(async (arn, i) => {
      if (placed.has(arn)) return;
      const pk = placeKey(runId, arn);
      const part = choose(arn, i);
      const item = { pk, taskArn: arn, part, [TTL_ATTRIBUTE]: known.expiresAt };
      if (await ctx.storage.put(item, absent("pk"))) return learn(arn, part);
      const there = await ctx.storage.get(pk);
      // Placed by another writer a moment ago (a strongly consistent read sees it).
      learn(arn, there ? Number(there.part) : part);
    }),
  );
  return placed;
}

/** Items of `list` grouped by the part their task is in (`placed`: by task ARN). */
function byPart<T>(list: readonly T[], arn: (t: T) => string, placed: Map<string, number>): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const t of list) {
    const n = placed.get(arn(t)) as number;
    groups.set(n, [...(groups.get(n) ?? []), t]);
  }
  return groups;
}

/** Changes the parts of these tasks (each at most once, concurrently). */
export async function changeParts<T>(
  ctx: StoreContext,
  known: Known,
  list: readonly T[],
  arn: (t: T) => string,
  choose: (arn: string, i: number) => number,
  lookFirst: boolean,
  change: (body: PartBody, mine: T[]) => PartBody | undefined,
) {
  const placed = await placeTasks(ctx, known, list.map(arn), choose, lookFirst);
  return Promise.all(
    [...byPart(list, arn, placed)].map(([n, mine]) =>
      changePart(ctx, known.run.runId, n, known.expiresAt, (body) => change(body, mine)),
    ),
  );
}
