/**
 * The alert as EventBridge carries it: `detail` = the run (SPEC section 4) plus what the alert is about
 * and, for failures, the failed container's log link and last lines. A PutEvents entry must stay under
 * 256 KB, counting Source, DetailType and Detail in UTF-8 ("Calculating PutEvents event entry size",
 * EventBridge user guide), so a large detail is trimmed: long log lines first, then old log lines, then
 * the tasks that succeeded, then tasks at all — never the run's status, hint or failures.
 */
import { taskSucceeded } from "../runs/aggregate.ts";
import type { Run, TaskState } from "../runs/model.ts";
import type { ChangesSinceSuccess } from "./changes.ts";
import type { AlertLogs } from "./failed-container-logs.ts";
import type { AlertKind } from "./kinds.ts";
import { redactSecrets } from "./redact.ts";

export interface Alert {
  kind: AlertKind;
  run: Run;
  /** One line a person reads first (subject, console). */
  summary: string;
  logs?: AlertLogs | undefined;
  changes?: ChangesSinceSuccess;
}

export interface AlertDetail extends Run {
  kind: AlertKind;
  summary: string;
  logs?: AlertLogs;
  /** Failures: what changed since the job's last success (task definition, images, overrides). */
  changedSinceLastSuccess?: ChangesSinceSuccess;
  /** How many tasks and failures were left out to keep the event under its size limit. */
  tasksOmitted?: number;
  failuresOmitted?: number;
}

export const PUT_EVENTS_ENTRY_MAX_BYTES = 256 * 1024;
const MAX_LINE_CHARS = 1_000;

export function alertDetail(alert: Alert): AlertDetail {
  return {
    ...redactSecrets(alert.run),
    kind: alert.kind,
    summary: alert.summary,
    ...(alert.logs && { logs: alert.logs }),
    ...(alert.changes && { changedSinceLastSuccess: alert.changes }),
  };
}

export const entryBytes = (source: string, detailType: string, detail: string): number =>
  Buffer.byteLength(source) + Buffer.byteLength(detailType) + Buffer.byteLength(detail);

/** JSON of the detail, trimmed until the entry fits `maxBytes`. */
export function fitDetail(detail: AlertDetail, overheadBytes: number, maxBytes = PUT_EVENTS_ENTRY_MAX_BYTES) {
  const fits = (d: AlertDetail) => Buffer.byteLength(JSON.stringify(d)) + overheadBytes <= maxBytes;
  let d = detail;
  if (fits(d)) return JSON.stringify(d);
  if (d.logs) {
    const lines = d.logs.lastLines.map((l) =>
      l.length > MAX_LINE_CHARS ? `${l.slice(0, MAX_LINE_CHARS)}…` : l,
    );
    d = { ...d, logs: { ...d.logs, lastLines: lines } };
    while (!fits(d) && (d.logs?.lastLines.length ?? 0) > 0) {
      d = { ...d, logs: { ...d.logs!, lastLines: d.logs!.lastLines.slice(1) } };
    }
  }
  if (fits(d)) return JSON.stringify(d);
  const all = d.tasks;
  const failed = all.filter((t) => !taskSucceeded(t));
  const keep = (tasks: TaskState[]): AlertDetail => ({
    ...d,
    tasks,
    tasksOmitted: all.length - tasks.length,
  });
  let tasks = failed;
  while (!fits(keep(tasks)) && tasks.length > 0) tasks = tasks.slice(0, Math.floor(tasks.length / 2));
  d = keep(tasks);
  // Up to 1,000 RunTask failures can be recorded; the first ones say what happened.
  const failures = d.failures;
  while (!fits(d) && d.failures.length > 0) {
    const kept = d.failures.slice(0, Math.floor(d.failures.length / 2));
    d = { ...d, failures: kept, failuresOmitted: failures.length - kept.length };
  }
  return JSON.stringify(d);
}
