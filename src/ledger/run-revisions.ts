/**
 * A change of a run item (run-store.ts): a pure merge of a known revision of the run and a put that only
 * succeeds if that revision is still the stored one; a writer that lost the race reads again.
 *
 * The hot path is at most one write per batch of a run's task events (none for a batch of statuses the run
 * does not record: src/runs/fold-events.ts): each instance (Lambda container) keeps the last revision of
 * each run it read or wrote (cache.ts) and changes a run it knows without reading it first.
 * - A stale copy costs a failed conditional put and a read, never a lost update: the put names the revision.
 * - An event that is stale or a duplicate against the copy needs neither read nor write: the copy is an
 *   earlier revision of the stored run, task versions only grow from one revision to the next, so the event
 *   is stale or a duplicate against the stored run too. (An event of a status not recorded, for a task the
 *   copy knows, is not recorded against the stored run either: tasks are never removed from a run.)
 * - Only changes use the copy; get() and the listings always read the storage.
 */
import { StaleWriteError } from "../errors.ts";
import { isFinal } from "../runs/model.ts";
import { runKey } from "./dynamo-table.ts";
import { markEndWork } from "./end-work.ts";
import { fromItem, type Known, plain, runItem, type StoredRun } from "./run-items.ts";
import { equals } from "./storage.ts";
import type { StoreContext } from "./store-context.ts";

/** Contended writers back off a little, at random, so that one of them wins each round. */
export const backoff = (attempt: number) =>
  new Promise((r) => setTimeout(r, Math.floor(Math.random() * Math.min(50, 2 + attempt * 4))));

/** The run item as stored now, remembered (or forgotten, when there is none). */
export async function read(ctx: StoreContext, runId: string): Promise<Known | undefined> {
  const stored = await ctx.storage.get(runKey(runId));
  const known = stored && fromItem(stored);
  if (known) ctx.cache.remember(runId, known);
  else ctx.cache.forget(runId);
  return known;
}

export type Change = (run: StoredRun) => StoredRun | undefined;
/** A revision to try a change on first: this instance's copy, or one just read (`fresh`). */
export type Start = { known: Known; fresh: boolean };
const fromCache = (ctx: StoreContext, runId: string): Start | undefined => {
  const known = ctx.cache.peek(runId);
  return known && { known, fresh: false };
};
export type Outcome = { before: StoredRun; after: StoredRun; changed: boolean };

/** Whether this write is the one that made the run final (the status handler acts on it once). */
export const becameFinal = (out: Outcome): boolean =>
  out.changed && !isFinal(out.before.status) && isFinal(out.after.status);
/** Not done: the revision tried is no longer the stored one, or a no-op on a cached copy is not trusted. */
const AGAIN = Symbol("again");

/** One try at a change on a known revision: a no-op, or a put conditional on that revision. */
async function tryChange(
  ctx: StoreContext,
  runId: string,
  known: Known,
  change: Change,
  trustNoop: boolean,
): Promise<Outcome | typeof AGAIN> {
  const changed = change(known.run);
  const next = changed && markEndWork(known.run, changed);
  if (next === undefined) {
    if (!trustNoop) return AGAIN;
    return { before: known.run, after: known.run, changed: false };
  }
  const json = JSON.stringify(next);
  let written: boolean;
  try {
    written = await ctx.storage.put(
      runItem(next, known.rev + 1, known.expiresAt, json),
      equals("rev", known.rev),
    );
  } catch (e) {
    // An error after which the stored revision is unknown: read next time.
    ctx.cache.forget(runId, known.rev);
    throw e;
  }
  if (!written) {
    // Lost a race: read next time.
    ctx.cache.forget(runId, known.rev);
    return AGAIN;
  }
  ctx.cache.remember(runId, { rev: known.rev + 1, run: next, expiresAt: known.expiresAt }, json);
  // The put was conditional on the revision that was not final: this write, and no other, ended the run.
  if (!isFinal(known.run.status) && isFinal(next.status)) ctx.options.transitions?.ended(plain(next));
  return { before: known.run, after: next, changed: true };
}

/**
 * Change, conditional put; read and again on a lost race. `change` returns undefined for "nothing to
 * write". It is tried first on the cached revision, if any; a no-op there is final only when
 * `noopFromCache` (see the header: true for task events), otherwise the stored run decides.
 * Resolves to undefined when the run does not exist.
 */
export async function mutate(
  ctx: StoreContext,
  runId: string,
  change: Change,
  noopFromCache = false,
  start?: Start,
): Promise<Outcome | undefined> {
  const first = start ?? fromCache(ctx, runId);
  if (first) {
    const out = await tryChange(ctx, runId, first.known, change, first.fresh || noopFromCache);
    if (out !== AGAIN) return out;
    if (first.fresh) await backoff(0);
  }
  // A revision just read counts as the first attempt.
  for (let attempt = first?.fresh ? 1 : 0; attempt < ctx.maxAttempts; attempt++) {
    const stored = await read(ctx, runId);
    if (!stored) return undefined;
    const out = await tryChange(ctx, runId, stored, change, true);
    if (out !== AGAIN) return out;
    await backoff(attempt);
  }
  throw new StaleWriteError(`run ${runId}: gave up after ${ctx.maxAttempts} concurrent changes`);
}

/** The run item as the store knows it: this instance's copy, or read. */
export async function knownRun(ctx: StoreContext, runId: string): Promise<Start | undefined> {
  const cached = fromCache(ctx, runId);
  if (cached) return cached;
  const known = await read(ctx, runId);
  return known && { known, fresh: true };
}
