/**
 * The local Scheduler stand-in's state on disk (`<data dir>/schedules.json`): each schedule's state and its
 * creation and modification times. Apart from schedules.ts so the CLI can read the anchors of rate schedules
 * (`next`, `list`) without loading the stand-in and the deploy code it builds requests with.
 */
import { readFileSync } from "node:fs";

export const SCHEDULES_FILE = "schedules.json";

export interface Persisted {
  state: "ENABLED" | "DISABLED";
  /** Epoch seconds. */
  created: number;
  modified: number;
  expression: string;
  timezone?: string;
}
export type PersistedSchedules = Record<string, Persisted>;

export function readPersisted(file: string): PersistedSchedules {
  try {
    const parsed = JSON.parse(readFileSync(file, "utf8")) as {
      version?: number;
      schedules?: PersistedSchedules;
    };
    return parsed.version === 2 ? (parsed.schedules ?? {}) : {};
  } catch {
    return {};
  }
}

/** When each schedule was last created or modified: where its rate schedule counts from (as modifiedAt). */
export function readScheduleAnchors(file: string): Map<string, Date> {
  const out = new Map<string, Date>();
  for (const [name, s] of Object.entries(readPersisted(file)))
    if (Number.isFinite(s?.modified)) out.set(name, new Date(s.modified * 1000));
  return out;
}
