/**
 * The local Scheduler stand-in's state on disk (`<data dir>/schedules.json`): each schedule's state and its
 * creation and modification times. Apart from schedules.ts so the CLI can read the anchors of rate schedules
 * (`next`, `list`) without loading the stand-in and the deploy code it builds requests with.
 */
import { readFileSync } from "node:fs";
import { EcsJobsError } from "../../src/errors.ts";

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

/**
 * The state kept across restarts. No file is a first start; a file that cannot be read is an error naming
 * it: starting afresh would silently resume every job paused at runtime.
 */
export function readPersisted(file: string): PersistedSchedules {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw new EcsJobsError(
      "CorruptStateFile",
      `${file} cannot be read (${(error as NodeJS.ErrnoException).code})`,
      { cause: error },
    );
  }
  const corrupt = (why: string, cause?: unknown) =>
    new EcsJobsError(
      "CorruptStateFile",
      `${file} is damaged (${why}): it keeps which jobs are paused. Fix it, or move it aside to start with every schedule as its spec says (paused jobs resume).`,
      { cause },
    );
  let parsed: { version?: unknown; schedules?: unknown };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch (error) {
    throw corrupt("not valid JSON", error);
  }
  if (parsed === null || typeof parsed !== "object" || parsed.version !== 2)
    throw corrupt("not version 2 of the schedules state");
  const schedules = parsed.schedules ?? {};
  if (typeof schedules !== "object" || schedules === null || Array.isArray(schedules))
    throw corrupt("schedules is not an object");
  return schedules as PersistedSchedules;
}

/** When each schedule was last created or modified: where its rate schedule counts from (as modifiedAt). */
export function readScheduleAnchors(file: string): Map<string, Date> {
  const out = new Map<string, Date>();
  let persisted: PersistedSchedules;
  try {
    persisted = readPersisted(file);
  } catch {
    // A view (next, list) counts from now rather than fail; the stack itself refuses a damaged file.
    return out;
  }
  for (const [name, s] of Object.entries(persisted))
    if (Number.isFinite(s?.modified)) out.set(name, new Date(s.modified * 1000));
  return out;
}
