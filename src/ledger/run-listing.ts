/**
 * The run store's listings (run-store.ts): pages of an index (dynamo-table.ts) read as runs, split runs
 * with their parts, and the page token the caller hands back for the next page.
 */
import { ValidationError } from "../errors.ts";
import type { Run, TaskState } from "../runs/model.ts";
import { ACTIVE_KEY, jobKey, RECENT_KEY } from "./dynamo-table.ts";
import { needsSweeper } from "./end-work.ts";
import type { RunLedger, RunPage } from "./ledger.ts";
import { decodeRun } from "./run-codec.ts";
import { type Encoded, partFromItem, type StoredRun } from "./run-items.ts";
import { assemble } from "./split-parts.ts";
import type { IndexName, Storage } from "./storage.ts";
import { partKey, storedPartCount } from "./task-parts.ts";

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

/**
 * The runs of these item keys, in their order, split runs with their parts. Eventually consistent, as the
 * index itself is, at half the read cost: the sweeper lists every active run each minute, and what it
 * decides from a listed run is written conditionally on the stored one. A key whose item is gone (TTL
 * deleted it after the index listed it) is skipped.
 */
async function readRuns(storage: Storage, pks: string[]): Promise<Run[]> {
  const found = new Map<string, StoredRun>();
  for (const stored of await storage.getMany(pks))
    found.set(stored.pk, decodeRun<StoredRun>(stored as Encoded));
  const partKeys = [...found.values()].flatMap((r) =>
    Array.from({ length: storedPartCount(r.taskParts) }, (_, n) => partKey(r.runId, n)),
  );
  const parts = new Map<string, TaskState[]>();
  if (partKeys.length > 0)
    for (const p of await storage.getMany(partKeys)) parts.set(p.pk, partFromItem(p).run.tasks);
  return pks.flatMap((pk) => {
    const run = found.get(pk);
    return run ? [assemble(run, (n) => parts.get(partKey(run.runId, n)) ?? [])] : [];
  });
}

type Listings = Pick<RunLedger, "listByJob" | "listRecent" | "listActive">;

export function runListings(storage: Storage): Listings {
  async function query(index: IndexName, key: string, o: { limit?: number; next?: string }) {
    const after = decodeNext(o.next);
    const out = await storage.query(index, key, { limit: o.limit ?? 20, ...(after && { after }) });
    const next = encodeNext(out.last);
    const page: RunPage = { runs: await readRuns(storage, out.keys) };
    return next ? { ...page, next } : page;
  }

  return {
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
      // The index is eventually consistent: a run that just ended (or its end-work) may still be listed.
      return runs.filter(needsSweeper);
    },
  };
}
