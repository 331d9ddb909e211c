/**
 * The run ledger's logic, once, over a storage port (storage.ts): DynamoDB in AWS and dynalite locally
 * (dynamo-storage.ts), memory in tests and benchmarks (gen/memory-storage.ts). Items are laid out as
 * dynamo-table.ts describes (run-items.ts). Every write is conditional: a run is created once (`pk` absent),
 * and a change is a pure merge (fold-events.ts, record-launch.ts) of a known revision of the run and a put
 * that only succeeds if that revision is still the stored one (run-revisions.ts, which also says how each
 * instance's cache keeps the hot path at one write per batch of task events).
 *
 * A run of more than 1,000 tasks (task-parts.ts) keeps its tasks in parts of their own (split-parts.ts),
 * each changed as a run is (a conditional put on its revision, cached the same way), and its item the parts'
 * summaries (part-summaries.ts): a batch of its task events writes the parts it touches, then the run item
 * once, conditional on its revision, so the write that makes the run final is one write, as for a small run
 * (split-writes.ts).
 *
 * Besides runs: the listings (run-listing.ts), alert claims (alert-claims.ts) and job slots (job-slot.ts).
 * What they share, the storage, options and this instance's caches, is one context (store-context.ts).
 */
import { NotFoundError, StaleWriteError } from "../errors.ts";
import type { EcsTaskDetail } from "../runs/events.ts";
import { foldTaskEvents } from "../runs/fold-events.ts";
import { isFinal } from "../runs/model.ts";
import { alertClaims } from "./alert-claims.ts";
import { endWorkDone, markEndWork, stopDone } from "./end-work.ts";
import { jobSlot } from "./job-slot.ts";
import type { RunLedger } from "./ledger.ts";
import { mergeLaunch } from "./record-launch.ts";
import { plain, runItem, type StoredRun } from "./run-items.ts";
import { runListings } from "./run-listing.ts";
import { becameFinal, knownRun, mutate, read } from "./run-revisions.ts";
import { whole } from "./split-parts.ts";
import { applySplitTaskEvents, recordSplitLaunch } from "./split-writes.ts";
import { absent, type Storage } from "./storage.ts";
import { createStoreContext, type RunStoreOptions } from "./store-context.ts";
import { partCountFor } from "./task-parts.ts";

export type { RunStoreOptions };

export function createRunStore(storage: Storage, options: RunStoreOptions): RunLedger {
  const ctx = createStoreContext(storage, options);
  const { cache, now } = ctx;

  async function applyTaskEvents(runId: string, details: readonly EcsTaskDetail[]) {
    const start = await knownRun(ctx, runId);
    if (!start) return undefined;
    if (start.known.run.taskParts) return applySplitTaskEvents(ctx, start.known, details);
    const out = await mutate(ctx, runId, (run) => foldTaskEvents(run, details), true, start);
    if (!out) return undefined;
    return { run: plain(out.after), changed: out.changed, becameFinal: becameFinal(out) };
  }

  return {
    async create(run) {
      const expiresAt = ctx.expiry();
      const parts = run.tasks.length === 0 ? partCountFor(run.expectedTasks, options.taskParts) : 0;
      const marked = markEndWork(undefined, run);
      const stored: StoredRun = parts > 0 ? { ...marked, taskParts: { count: parts, at: {} } } : marked;
      const json = JSON.stringify(stored);
      if (await storage.put(runItem(stored, 0, expiresAt, json), absent("pk"))) {
        cache.remember(run.runId, { rev: 0, run: stored, expiresAt }, json);
        options.transitions?.created(run);
        if (isFinal(run.status)) options.transitions?.ended(run);
        return { run, created: true };
      }
      const existing = await read(ctx, run.runId);
      // Created and expired (TTL) in between: practically impossible; say so rather than return nothing.
      if (!existing) throw new StaleWriteError(`run ${run.runId} exists but could not be read back`);
      return { run: await whole(ctx, existing.run, true), created: false };
    },

    async get(runId) {
      const known = await read(ctx, runId);
      return known && whole(ctx, known.run, true);
    },

    ...runListings(storage),

    async recordLaunch(runId, result, o = {}) {
      const start = await knownRun(ctx, runId);
      const out = start?.known.run.taskParts
        ? await recordSplitLaunch(ctx, start.known, result, o.allTasks !== false)
        : (await mutate(ctx, runId, (run) => mergeLaunch(run, result), false, start))?.after;
      if (!out) throw new NotFoundError(`run ${runId}`);
      return out;
    },

    applyTaskEvents,

    async finish(runId, status, extra = {}) {
      const out = await mutate(ctx, runId, (run) => {
        if (isFinal(run.status)) return undefined;
        return {
          ...run,
          status,
          ...(extra.hint !== undefined && { hint: extra.hint }),
          ...(extra.cancelledBy !== undefined && { cancelledBy: extra.cancelledBy }),
          failures: [...run.failures, ...(extra.failures ?? [])],
          ...(!run.stoppedAt && { stoppedAt: now().toISOString() }),
        };
      });
      if (!out) throw new NotFoundError(`run ${runId}`);
      return { run: await whole(ctx, out.after, true), changed: out.changed };
    },

    async endWorkDone(runId) {
      await mutate(ctx, runId, endWorkDone);
    },

    async stopDone(runId) {
      await mutate(ctx, runId, stopDone);
    },

    ...alertClaims(ctx),
    ...jobSlot(ctx),
  };
}
