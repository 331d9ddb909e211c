/**
 * What one DynamoDB ledger instance (one Lambda container) remembers between calls, so that a change to a
 * run it has seen needs no read first. Bounded in entries and in bytes (a run item may be up to 400 KB):
 * least recently used entries are forgotten first.
 */

/** A Map that forgets its least recently used keys beyond `maxEntries` or `maxWeight` (insertion order). */
export class Lru<K, V> {
  readonly #maxEntries: number;
  readonly #maxWeight: number;
  readonly #map = new Map<K, { value: V; weight: number }>();
  #weight = 0;

  constructor(maxEntries: number, maxWeight = Number.POSITIVE_INFINITY) {
    this.#maxEntries = maxEntries;
    this.#maxWeight = maxWeight;
  }

  get size(): number {
    return this.#map.size;
  }

  get weight(): number {
    return this.#weight;
  }

  get(key: K): V | undefined {
    const entry = this.#map.get(key);
    if (entry === undefined) return undefined;
    this.#map.delete(key);
    this.#map.set(key, entry);
    return entry.value;
  }

  set(key: K, value: V, weight = 1): void {
    this.delete(key);
    if (this.#maxEntries <= 0 || weight > this.#maxWeight) return;
    this.#map.set(key, { value, weight });
    this.#weight += weight;
    while (this.#map.size > this.#maxEntries || this.#weight > this.#maxWeight) {
      const oldest = this.#map.keys().next();
      if (oldest.done) break;
      this.delete(oldest.value);
    }
  }

  delete(key: K): void {
    const entry = this.#map.get(key);
    if (entry === undefined) return;
    this.#map.delete(key);
    this.#weight -= entry.weight;
  }
}

/** A stored run item as far as the ledger needs it: the run, its revision and its expiry. */
export interface CachedRun<R> {
  rev: number;
  run: R;
  expiresAt: number;
}

export interface RunCacheLimits {
  runs: number;
  /** Characters of the runs' JSON, counted twice (V8 keeps a string with non-Latin-1 text at 2 bytes a character). */
  bytes: number;
}

/**
 * The last revision of each run this instance read or wrote, kept as JSON: every peek is a fresh copy that
 * callers may change freely, and the size is known. A copy is what a read would return (the document client
 * drops undefined values, so does JSON). An older revision never replaces a newer one: reads and writes of
 * one instance can finish out of order.
 */
export class RunCache<R> {
  readonly #runs: Lru<string, { rev: number; json: string; expiresAt: number }>;

  constructor(limits: RunCacheLimits) {
    this.#runs = new Lru(limits.runs, limits.bytes);
  }

  get size(): number {
    return this.#runs.size;
  }

  peek(runId: string): CachedRun<R> | undefined {
    const entry = this.#runs.get(runId);
    return entry && { rev: entry.rev, run: JSON.parse(entry.json) as R, expiresAt: entry.expiresAt };
  }

  /** `json`: the run's JSON when the caller has it already (a write serialises the run anyway). */
  remember(runId: string, item: CachedRun<R>, json = JSON.stringify(item.run)): void {
    const known = this.#runs.get(runId);
    if (known && known.rev >= item.rev) return;
    this.#runs.set(
      runId,
      { rev: item.rev, json, expiresAt: item.expiresAt },
      2 * (json.length + runId.length),
    );
  }

  /** Forgets the run if the cache still holds revision `rev` (a newer one another call stored is kept). */
  forget(runId: string, rev?: number): void {
    if (rev === undefined || this.#runs.get(runId)?.rev === rev) this.#runs.delete(runId);
  }
}
