/**
 * Alerts the local stack captured from the EventBridge and SNS stand-ins: printed, listed at GET /alerts, and
 * kept in `<data dir>/alerts.jsonl` (one alert a line, appended) so that a restart lists them as before.
 */
import { randomUUID } from "node:crypto";
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";

export interface LocalAlert {
  id: string;
  /** When the stand-in received it. */
  receivedAt: string;
  channel: "eventbridge" | "sns";
  /** FAILED, TIMED_OUT … when the detail-type is "ECS Job Run <KIND>" (or the SNS subject says so). */
  kind?: string;
  job?: string;
  runId?: string;
  /** EventBridge: the entry as put. */
  source?: string;
  detailType?: string;
  eventBusName?: string;
  detail?: unknown;
  /** SNS. */
  topicArn?: string;
  subject?: string;
  message?: string;
}

export interface AlertLog {
  record(alert: Omit<LocalAlert, "id" | "receivedAt">): LocalAlert;
  list(): LocalAlert[];
}

const KIND = /ECS Job Run ([A-Z_]+)/;

/** Best effort: the alert's run, whether the detail is the run itself or wraps it. */
export function runOf(detail: unknown): { job?: string; runId?: string } {
  if (!detail || typeof detail !== "object") return {};
  const d = detail as Record<string, unknown>;
  const inner = d.run && typeof d.run === "object" ? (d.run as Record<string, unknown>) : d;
  return {
    ...(typeof inner.job === "string" && { job: inner.job }),
    ...(typeof inner.runId === "string" && { runId: inner.runId }),
  };
}

export const kindOf = (text: string | undefined): string | undefined =>
  text ? KIND.exec(text)?.[1] : undefined;

/** The last `max` alerts of the file; a line that is not an alert (a write cut short by a crash) is skipped. */
function readAlerts(file: string, max: number): LocalAlert[] {
  if (!existsSync(file)) return [];
  const alerts: LocalAlert[] = [];
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (!line.trim()) continue;
    try {
      const a = JSON.parse(line) as LocalAlert;
      if (a && typeof a.id === "string" && typeof a.receivedAt === "string") alerts.push(a);
    } catch {}
  }
  return alerts.slice(-max);
}

export function createAlertLog(
  onAlert: (alert: LocalAlert) => void = () => {},
  max = 1_000,
  file?: string,
): AlertLog {
  const alerts: LocalAlert[] = file ? readAlerts(file, max) : [];
  // The file is rewritten with the kept alerts at start, so it stays within twice `max` lines.
  if (file) writeFileSync(file, alerts.map((a) => `${JSON.stringify(a)}\n`).join(""), { mode: 0o600 });
  let appended = 0;
  return {
    record(alert) {
      const full: LocalAlert = { id: randomUUID(), receivedAt: new Date().toISOString(), ...alert };
      alerts.push(full);
      if (alerts.length > max) alerts.shift();
      if (file) {
        appendFileSync(file, `${JSON.stringify(full)}\n`);
        if (++appended >= max) {
          writeFileSync(file, alerts.map((a) => `${JSON.stringify(a)}\n`).join(""));
          appended = 0;
        }
      }
      onAlert(full);
      return full;
    },
    list: () => [...alerts],
  };
}
