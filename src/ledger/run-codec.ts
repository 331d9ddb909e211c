/**
 * How a run is stored in its DynamoDB item. A DynamoDB item holds at most 400 KB, and a run of many tasks
 * is more: 1,000 tasks that failed to start, each with its stopped reason, are ~700 KB of JSON. Above
 * COMPRESS_ABOVE characters of JSON the run is stored gzip-compressed in a binary attribute instead; the
 * repeated ARNs and reasons of a fan-out compress ~20×, so the largest run a job may ask for fits.
 *
 * The bound is 1 KB, not the item limit, because every change rewrites the whole item and DynamoDB bills a
 * write per KB of it: a 1-task run (~1.6 KB of JSON, 2 WCU inline) is ~0.8 KB gzipped (1 WCU), a 100-task run
 * ~56 KB (56 WCU a write) is ~3.4 KB (4 WCU) — in the cost benchmark the 100-task run's 58 writes went from
 * 1,652 WCU to 195. A run under 1 KB costs 1 WCU either way and stays readable in the console.
 * Gzip rather than Brotli: Brotli is ~25% smaller but several times slower to compress at its default
 * quality, on every write; and items already stored (gzip) read as before.
 */
import { gunzipSync, gzipSync } from "node:zlib";
import { EcsJobsError } from "../errors.ts";
import type { Run } from "../runs/model.ts";

export const COMPRESS_ABOVE = 1024;

/** A run, or a part of a split run's tasks (task-parts.ts), as its item holds it. */
export type StoredRun<T = Run> = { run: T; runz?: never } | { runz: Uint8Array; run?: never };

/**
 * zlib's default window (32 KB) and memory level (8) allocate ~256 KB per call, which costs ~0.35 ms even
 * for a 1-task run's 1.6 KB, on every write; an 8 KB window at memory level 5 compresses a 1-task and a
 * 100-task run as small (a task's repeats — ARN prefix, container, billing — are within ~0.5 KB of each
 * other) in ~40 µs and ~150 µs. gunzip reads any window size, so items written before read as ever.
 */
const GZIP = { windowBits: 13, memLevel: 5 };

/** `json`: the run's JSON when the caller has it already. */
export function encodeRun<T = Run>(run: T, json = JSON.stringify(run)): StoredRun<T> {
  return json.length > COMPRESS_ABOVE ? { runz: gzipSync(json, GZIP) } : { run };
}

export function decodeRun<T = Run>(stored: { run?: T | undefined; runz?: Uint8Array | undefined }): T {
  if (stored.run) return stored.run;
  if (stored.runz) return JSON.parse(gunzipSync(stored.runz).toString("utf8")) as T;
  throw new EcsJobsError("CorruptRunItem", "stored run item holds neither run nor runz");
}
