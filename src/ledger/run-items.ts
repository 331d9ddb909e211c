/**
 * The items the run store writes for a run (dynamo-table.ts): the run item, and for a run split in parts
 * (task-parts.ts) the items of its parts, each as the store knows it: what it holds, its revision, its expiry.
 */
import type { RanWith, Run, TaskState } from "../runs/model.ts";
import { ACTIVE_KEY, jobKey, RECENT_KEY, runKey, sortKey, TTL_ATTRIBUTE } from "./dynamo-table.ts";
import { needsSweeper } from "./end-work.ts";
import { decodeRun, encodeRun } from "./run-codec.ts";
import type { Item } from "./storage.ts";
import type { TaskParts } from "./task-parts.ts";

/** The run as its item holds it: for a run split in parts (task-parts.ts), with no tasks and their summaries. */
export type StoredRun = Run & { taskParts?: TaskParts };

/** A run item as the store knows it: the run, its revision, its expiry. */
export interface Known {
  rev: number;
  run: StoredRun;
  expiresAt: number;
}

/**
 * What a part of a split run holds: its tasks, and what its tasks' events say they ran. `ran` is kept with
 * the tasks, in the same conditional put, so that the run item's write that takes a part's summary (and may
 * end the run) takes the image facts of the same events: kept only in the run item, they came with the
 * batch's own run write, which another batch's write ending the run could precede.
 */
export interface PartBody {
  tasks: TaskState[];
  ran?: RanWith;
}

/** A part of a split run's tasks as the store knows it. */
export interface KnownPart {
  rev: number;
  run: PartBody;
  expiresAt: number;
}

export type Encoded = { run?: undefined; runz?: Uint8Array };

export const fromItem = (item: Item): Known => ({
  rev: Number(item.rev),
  run: decodeRun<StoredRun>(item as Encoded),
  expiresAt: Number(item[TTL_ATTRIBUTE]),
});

export const partFromItem = (item: Item): KnownPart => ({
  rev: Number(item.rev),
  run: decodeRun<PartBody>(item as Encoded),
  expiresAt: Number(item[TTL_ATTRIBUTE]),
});

/** The run without what only its item needs (a split run's parts: their tasks are not in it). */
export function plain(run: StoredRun): Run {
  const { taskParts: _parts, ...rest } = run;
  return rest;
}

/** `json` is the run's JSON, which the cache keeps too: a write serialises the run once. */
export const runItem = (run: StoredRun, rev: number, expiresAt: number, json: string): Item => {
  const sk = sortKey(run.createdAt, run.runId);
  return {
    pk: runKey(run.runId),
    rev,
    ...encodeRun(run, json),
    gsi1pk: jobKey(run.job),
    gsi1sk: sk,
    gsi2pk: RECENT_KEY,
    // Sparse: present only while the run still needs the sweeper (not final, or its end-work pending).
    ...(needsSweeper(run) && { activePk: ACTIVE_KEY }),
    [TTL_ATTRIBUTE]: expiresAt,
  };
};
