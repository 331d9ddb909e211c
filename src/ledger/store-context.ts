/**
 * What the run store's parts share (run-store.ts): the storage, the options, and what this instance
 * remembers between calls (cache.ts). Made once per store and passed to each of its files, so that a run
 * cached by a write of one is the run a change of another starts from.
 */
import type { RunTransitions } from "../runs/model.ts";
import { Lru, RunCache, type RunCacheLimits } from "./cache.ts";
import type { PartBody, StoredRun } from "./run-items.ts";
import type { Storage } from "./storage.ts";
import type { PartSizes } from "./task-parts.ts";

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
  /** Which runs keep their tasks in parts, and how large (task-parts.ts; smaller in tests). */
  taskParts?: PartSizes;
}

/**
 * A container must hold every run whose events it sees before they end, or it reads that run again: the
 * status benchmark has 2,250 runs in flight in one container. A one-task run is ~2 KB here, so the run
 * bound is what applies for ordinary runs; the byte bound (of a 512 MB function) is for many-task runs.
 */
const DEFAULT_CACHE_LIMITS: RunCacheLimits = { runs: 10_000, bytes: 32 * 1024 * 1024 };

export interface StoreContext {
  storage: Storage;
  options: RunStoreOptions;
  now: () => Date;
  maxAttempts: number;
  /** Run items, by run id. */
  cache: RunCache<StoredRun>;
  /** Parts of split runs, by item key. */
  partCache: RunCache<PartBody>;
  /** Claim keys (and claim key + channel) this instance took and did not release. */
  heldClaims: Lru<string, true>;
  /** A task's part, by its placement item's key (task-parts.ts). */
  placements: Lru<string, number>;
  /** The expiry (TTL, epoch seconds) of an item written now. */
  expiry: () => number;
}

export function createStoreContext(storage: Storage, options: RunStoreOptions): StoreContext {
  const now = options.now ?? (() => new Date());
  const limits = { ...DEFAULT_CACHE_LIMITS, ...options.cache };
  return {
    storage,
    options,
    now,
    maxAttempts: options.maxWriteAttempts ?? 60,
    cache: new RunCache<StoredRun>(limits),
    partCache: new RunCache<PartBody>(limits),
    heldClaims: new Lru<string, true>(limits.runs),
    // A task's part never changes once placed, so a placement seen is good for the run's life; the newest
    // 100,000 (~15 MB of keys) cover the tasks of the few split runs an instance is writing at a time.
    placements: new Lru<string, number>(100_000),
    expiry: () => Math.floor(now().getTime() / 1000) + options.retentionDays * 86_400,
  };
}
