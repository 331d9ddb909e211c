/** Alerts the local stack captured from the EventBridge and SNS stand-ins: printed, and listed at GET /alerts. */
import { randomUUID } from "node:crypto";

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

export function createAlertLog(onAlert: (alert: LocalAlert) => void = () => {}, max = 1_000): AlertLog {
  const alerts: LocalAlert[] = [];
  return {
    record(alert) {
      const full: LocalAlert = { id: randomUUID(), receivedAt: new Date().toISOString(), ...alert };
      alerts.push(full);
      if (alerts.length > max) alerts.shift();
      onAlert(full);
      return full;
    },
    list: () => [...alerts],
  };
}
