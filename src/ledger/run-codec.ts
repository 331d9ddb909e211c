/**
 * How a run is stored in its DynamoDB item. A DynamoDB item holds at most 400 KB, and a run of many tasks
 * is more: 1,000 tasks that failed to start, each with its stopped reason, are ~700 KB of JSON. Above
 * COMPRESS_ABOVE characters of JSON the run is stored gzip-compressed in a binary attribute instead; the
 * repeated ARNs and reasons of a fan-out compress ~20×, so the largest run a job may ask for fits.
 */
import { gunzipSync, gzipSync } from "node:zlib";
import { EcsJobsError } from "../errors.ts";
import type { Run } from "../runs/model.ts";

export const COMPRESS_ABOVE = 64 * 1024;

export type StoredRun = { run: Run; runz?: never } | { runz: Uint8Array; run?: never };

/** `json`: the run's JSON when the caller has it already. */
export function encodeRun(run: Run, json = JSON.stringify(run)): StoredRun {
  return json.length > COMPRESS_ABOVE ? { runz: gzipSync(json) } : { run };
}

export function decodeRun(stored: { run?: Run; runz?: Uint8Array }): Run {
  if (stored.run) return stored.run;
  if (stored.runz) return JSON.parse(gunzipSync(stored.runz).toString("utf8")) as Run;
  throw new EcsJobsError("CorruptRunItem", "stored run item holds neither run nor runz");
}
