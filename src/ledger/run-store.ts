/**
 * The run ledger's logic, once, over a storage port (storage.ts): DynamoDB in AWS and dynalite locally
 * (dynamo-storage.ts), memory in tests and benchmarks (gen/memory-storage.ts). Items are laid out as
 * dynamo-table.ts describes. Every write is conditional: a run is created once (`pk` absent), and a change
 * is a pure merge (fold-events.ts, record-launch.ts) of a known revision of the run and a put that only
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
 * - A claim this instance took and did not release is held, so claiming it again is false without a write.
 */
import { randomUUID } from "node:crypto";
import { NotFoundError, StaleWriteError, ValidationError } from "../errors.ts";
import type { EcsTaskDetail } from "../runs/events.ts";
import { foldTaskEvents } from "../runs/fold-events.ts";
import { isFinal, type Run, type RunTransitions } from "../runs/model.ts";
import { Lru, RunCache, type RunCacheLimits } from "./cache.ts";
import {
  ACTIVE_KEY,
  claimKey,
  jobKey,
  RECENT_KEY,
  runKey,
  slotKey,
  sortKey,
  TTL_ATTRIBUTE,
} from "./dynamo-table.ts";
import type { RunLedger, RunPage } from "./ledger.ts";
import { mergeLaunch } from "./record-launch.ts";
import { decodeRun, encodeRun } from "./run-codec.ts";
import {
  absent,
  allOf,
  anyOf,
  equals,
  type IndexName,
  type Item,
  lessThan,
  notEquals,
  type Storage,
} from "./storage.ts";

export interface RunStoreOptions {
  retentionDays: number;
  now?: () => Date;
  /** Reads-and-writes tried before a contended change gives up with StaleWriteError. */
  maxWriteAttempts?: number;
  /**
   * Bounds of the per-instance cache (cache.ts): runs (and, separately, claims) remembered, and the
   * bytes of the runs. `runs: 0` turns it off: every change reads first.
   */
  cache?: Partial<RunCacheLimits>;
  /** Told of each run created and each run made final, by the write that did it (metrics). */
  transitions?: RunTransitions;
}

/**
 * A container must hold every run whose events it sees before they end, or it reads that run again: the
 * status benchmark has 2,250 runs in flight in one container. A one-task run is ~2 KB here, so the run
 * bound is what applies for ordinary runs; the byte bound (of a 512 MB function) is for many-task runs.
 */
const DEFAULT_CACHE_LIMITS: RunCacheLimits = { runs: 10_000, bytes: 32 * 1024 * 1024 };

/** A run item as the store knows it: the run, its revision, its expiry. */
interface Known {
  rev: number;
  run: Run;
  expiresAt: number;
}

const fromItem = (item: Item): Known => ({
  rev: Number(item.rev),
  run: decodeRun(item as { run?: Run; runz?: Uint8Array }),
  expiresAt: Number(item[TTL_ATTRIBUTE]),
});

function encodeNext(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key)).toString("base64url") : undefined;
}

function decodeNext(next: string | undefined): Record<string, unknown> | undefined {
  if (next === undefined) return undefined;
  try {
    const key = JSON.parse(Buffer.from(next, "base64url").toString("utf8")) as unknown;
    if (key && typeof key === "object" && !Array.isArray(key)) return key as Record<string, unknown>;
  } catch {}
  throw new ValidationError("next: not a page token this ledger issued", { field: "next" });
}

/** The attribute of an alert's claim item that holds one channel's claim (dynamo-table.ts). */
const channelAttribute = (channel: string) => `channel_${channel}`;

/** Contended writers back off a little, at random, so that one of them wins each round. */
const backoff = (attempt: number) =>
  new Promise((r) => setTimeout(r, Math.floor(Math.random() * Math.min(50, 2 + attempt * 4))));

export function createRunStore(storage: Storage, options: RunStoreOptions): RunLedger {
  const now = options.now ?? (() => new Date());
  const maxAttempts = options.maxWriteAttempts ?? 60;
  const limits = { ...DEFAULT_CACHE_LIMITS, ...options.cache };
  const cache = new RunCache<Run>(limits);
  const heldClaims = new Lru<string, true>(limits.runs);
  const expiry = () => Math.floor(now().getTime() / 1000) + options.retentionDays * 86_400;

  /** `json` is the run's JSON, which the cache keeps too: a write serialises the run once. */
  const item = (run: Run, rev: number, expiresAt: number, json: string): Item => {
    const sk = sortKey(run.createdAt, run.runId);
    return {
      pk: runKey(run.runId),
      rev,
      ...encodeRun(run, json),
      gsi1pk: jobKey(run.job),
      gsi1sk: sk,
      gsi2pk: RECENT_KEY,
      // Sparse: present only while the run still needs the sweeper.
      ...(!isFinal(run.status) && { activePk: ACTIVE_KEY }),
      [TTL_ATTRIBUTE]: expiresAt,
    };
  };

  async function read(runId: string): Promise<Known | undefined> {
    const stored = await storage.get(runKey(runId));
    const known = stored && fromItem(stored);
    if (known) cache.remember(runId, known);
    else cache.forget(runId);
    return known;
  }

  type Change = (run: Run) => Run | undefined;
  type Outcome = { before: Run; after: Run; changed: boolean };
  /** Not done: the revision tried is no longer the stored one, or a no-op on a cached copy is not trusted. */
  const AGAIN = Symbol("again");

  /** One try at a change on a known revision: a no-op, or a put conditional on that revision. */
  async function tryChange(
    runId: string,
    known: Known,
    change: Change,
    trustNoop: boolean,
  ): Promise<Outcome | typeof AGAIN> {
    const next = change(known.run);
    if (next === undefined) {
      if (!trustNoop) return AGAIN;
      return { before: known.run, after: known.run, changed: false };
    }
    const json = JSON.stringify(next);
    let written: boolean;
    try {
      written = await storage.put(item(next, known.rev + 1, known.expiresAt, json), equals("rev", known.rev));
    } catch (e) {
      // An error after which the stored revision is unknown: read next time.
      cache.forget(runId, known.rev);
      throw e;
    }
    if (!written) {
      // Lost a race: read next time.
      cache.forget(runId, known.rev);
      return AGAIN;
    }
    cache.remember(runId, { rev: known.rev + 1, run: next, expiresAt: known.expiresAt }, json);
    // The put was conditional on the revision that was not final: this write, and no other, ended the run.
    if (!isFinal(known.run.status) && isFinal(next.status)) options.transitions?.ended(next);
    return { before: known.run, after: next, changed: true };
  }

  /**
   * Change, conditional put; read and again on a lost race. `change` returns undefined for "nothing to
   * write". It is tried first on the cached revision, if any; a no-op there is final only when
   * `noopFromCache` (see the header: true for task events), otherwise the stored run decides.
   * Resolves to undefined when the run does not exist.
   */
  async function mutate(runId: string, change: Change, noopFromCache = false): Promise<Outcome | undefined> {
    const cached = cache.peek(runId);
    if (cached) {
      const out = await tryChange(runId, cached, change, noopFromCache);
      if (out !== AGAIN) return out;
    }
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const stored = await read(runId);
      if (!stored) return undefined;
      const out = await tryChange(runId, stored, change, true);
      if (out !== AGAIN) return out;
      await backoff(attempt);
    }
    throw new StaleWriteError(`run ${runId}: gave up after ${maxAttempts} concurrent changes`);
  }

  /**
   * The runs of these item keys, in their order. Eventually consistent, as the index itself is, at half the
   * read cost: the sweeper lists every active run each minute, and what it decides from a listed run is
   * written conditionally on the stored one. A key whose item is gone (TTL deleted it after the index
   * listed it) is skipped.
   */
  async function readRuns(pks: string[]): Promise<Run[]> {
    const found = new Map<string, Run>();
    for (const stored of await storage.getMany(pks))
      found.set(stored.pk, decodeRun(stored as { run?: Run; runz?: Uint8Array }));
    return pks.flatMap((pk) => found.get(pk) ?? []);
  }

  async function query(index: IndexName, key: string, o: { limit?: number; next?: string }) {
    const after = decodeNext(o.next);
    const out = await storage.query(index, key, { limit: o.limit ?? 20, ...(after && { after }) });
    const next = encodeNext(out.last);
    const page: RunPage = { runs: await readRuns(out.keys) };
    return next ? { ...page, next } : page;
  }

  async function applyTaskEvents(runId: string, details: readonly EcsTaskDetail[]) {
    const out = await mutate(runId, (run) => foldTaskEvents(run, details), true);
    if (!out) return undefined;
    const becameFinal = out.changed && !isFinal(out.before.status) && isFinal(out.after.status);
    return { run: out.after, changed: out.changed, becameFinal };
  }

  /** The job's slot item naming `runId` as its holder until `until`. */
  const slotItem = (job: string, runId: string, until: Date): Item => ({
    pk: slotKey(job),
    holder: runId,
    until: until.toISOString(),
    [TTL_ATTRIBUTE]: expiry(),
  });

  return {
    async create(run) {
      const expiresAt = expiry();
      const json = JSON.stringify(run);
      if (await storage.put(item(run, 0, expiresAt, json), absent("pk"))) {
        cache.remember(run.runId, { rev: 0, run, expiresAt }, json);
        options.transitions?.created(run);
        if (isFinal(run.status)) options.transitions?.ended(run);
        return { run, created: true };
      }
      const existing = await read(run.runId);
      // Created and expired (TTL) in between: practically impossible; say so rather than return nothing.
      if (!existing) throw new StaleWriteError(`run ${run.runId} exists but could not be read back`);
      return { run: existing.run, created: false };
    },

    async get(runId) {
      return (await read(runId))?.run;
    },

    listByJob: (job, o = {}) => query("byJob", jobKey(job), o),
    listRecent: (o = {}) => query("recent", RECENT_KEY, o),

    async listActive() {
      const runs: Run[] = [];
      let next: string | undefined;
      do {
        const page = await query("active", ACTIVE_KEY, { limit: 100, ...(next && { next }) });
        runs.push(...page.runs);
        next = page.next;
      } while (next);
      // The index is eventually consistent: a run that just ended may still be listed.
      return runs.filter((r) => !isFinal(r.status));
    },

    async recordLaunch(runId, result) {
      const out = await mutate(runId, (run) => mergeLaunch(run, result));
      if (!out) throw new NotFoundError(`run ${runId}`);
      return out.after;
    },

    applyTaskEvents,

    async finish(runId, status, extra = {}) {
      const out = await mutate(runId, (run) => {
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
      return { run: out.after, changed: out.changed };
    },

    async claimAlert(runId, kind) {
      const key = claimKey(runId, kind);
      // Only the claimer releases a claim (after its work failed), so one this instance holds is still held.
      if (heldClaims.get(key)) return false;
      const claimed = await storage.put(
        { pk: key, claimedAt: now().toISOString(), [TTL_ATTRIBUTE]: expiry() },
        // A released claim is marked rather than deleted: the functions' role needs no DeleteItem.
        anyOf(absent("pk"), equals("released", true)),
      );
      // Held by another instance: not remembered, as that one may release it for a retry to claim here.
      if (claimed) heldClaims.set(key, true);
      return claimed;
    },

    async claimChannels(runId, kind, channels) {
      const key = claimKey(runId, kind);
      const wanted = channels.filter((c) => !heldClaims.get(`${key}\n${c}`));
      if (wanted.length === 0) return [];
      // Each channel not claimed yet takes this call's token; the channels holding it afterwards are ours.
      // One write for all of them: a failed run's alert on EventBridge and SNS is one write, not two.
      const token = randomUUID();
      const after = await storage.update(
        key,
        {
          setIfAbsent: {
            ...Object.fromEntries(wanted.map((c) => [channelAttribute(c), token])),
            [TTL_ATTRIBUTE]: expiry(),
          },
        },
        // An item of the layout before channels (one item per channel, `claimedAt`) holds them all.
        anyOf(absent("claimedAt"), equals("released", true)),
      );
      const got = wanted.filter((c) => after?.[channelAttribute(c)] === token);
      for (const c of got) heldClaims.set(`${key}\n${c}`, true);
      return got;
    },

    async releaseChannel(runId, kind, channel) {
      const key = claimKey(runId, kind);
      heldClaims.delete(`${key}\n${channel}`);
      await storage.update(key, { remove: [channelAttribute(channel)] });
    },

    async releaseAlert(runId, kind) {
      // Forgotten before the write: if the write fails after taking effect, the next claim still asks.
      heldClaims.delete(claimKey(runId, kind));
      await storage.update(claimKey(runId, kind), { set: { released: true } });
    },

    async claimJobSlot(job, runId, { now: at, until }) {
      const take = (condition: Parameters<Storage["put"]>[1]) =>
        storage.put(slotItem(job, runId, until), condition);
      let holder = "";
      // Each round either takes the slot or finds who holds it; a lost race (another trigger took it between
      // the read and the write) goes round again.
      for (let attempt = 0; attempt < 5; attempt++) {
        if (await take(anyOf(absent("pk"), equals("holder", runId), lessThan("until", at.toISOString()))))
          return { taken: true as const };
        const slot = await storage.get(slotKey(job));
        holder = String(slot?.holder ?? "");
        const held = holder ? await read(holder) : undefined;
        if (held && !isFinal(held.run.status)) return { taken: false as const, holder };
        if (await take(allOf(equals("holder", holder), equals("until", String(slot?.until ?? "")))))
          return { taken: true as const };
      }
      return { taken: false as const, holder };
    },

    async takeJobSlot(job, runId, { until }) {
      // One atomic exchange: the write answers with the item it replaced, and writes to one item apply one at a
      // time, so each of N simultaneous triggers gets a distinct predecessor in one call. A read then a write
      // conditional on what was read cost O(N²) calls under contention (~620 for 20 triggers), which on a
      // loaded machine ran a POST past the function's 30 s. The condition only keeps a trigger that holds the
      // slot already (a redelivery) from naming itself its own predecessor.
      const out = await storage.exchange(
        slotItem(job, runId, until),
        anyOf(absent("pk"), notEquals("holder", runId)),
      );
      const previous = out.written ? out.previous?.holder : undefined;
      return typeof previous === "string" && previous !== "" ? { previous } : {};
    },
  };
}
