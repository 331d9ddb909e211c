import { describe, expect, it } from "vitest";
import { Lru, RunCache } from "../../src/ledger/cache.ts";

describe("ledger cache bounds", () => {
  it("forgets the least recently used entries beyond its entry or weight bound", () => {
    const lru = new Lru<string, number>(3, 10);
    lru.set("a", 1, 2);
    lru.set("b", 2, 2);
    lru.set("c", 3, 2);
    lru.get("a");
    lru.set("d", 4, 2);
    // Four entries: the least recently used ("b", as "a" was read) goes.
    expect([lru.get("a"), lru.get("b"), lru.get("c"), lru.get("d")]).toEqual([1, undefined, 3, 4]);
    lru.set("e", 5, 7);
    // Weight 2 + 2 + 2 + 7 > 10: the oldest go until it fits.
    expect([lru.size, lru.weight, lru.get("e")]).toEqual([2, 9, 5]);
    lru.set("huge", 6, 11);
    expect([lru.get("huge"), lru.size]).toEqual([undefined, 2]);
    expect(new Lru<string, number>(0).size).toBe(0);
  });

  it("keeps the newest revision of a run, as an independent copy, and fits runs to its byte bound", () => {
    const cache = new RunCache<{ n: number; note?: string }>({ runs: 10, bytes: 200 });
    cache.remember("r", { rev: 2, run: { n: 2 }, expiresAt: 1 });
    cache.remember("r", { rev: 1, run: { n: 1 }, expiresAt: 1 });
    const copy = cache.peek("r");
    expect(copy).toEqual({ rev: 2, run: { n: 2 }, expiresAt: 1 });
    if (copy) copy.run.n = 99;
    expect(cache.peek("r")?.run.n).toBe(2);
    cache.forget("r", 1);
    expect(cache.peek("r")?.rev).toBe(2);
    cache.forget("r", 2);
    expect(cache.peek("r")).toBeUndefined();
    cache.remember("big", { rev: 0, run: { n: 0, note: "x".repeat(200) }, expiresAt: 1 });
    expect(cache.size).toBe(0);
  });
});
