/**
 * What the dashboard shows and its tables of recent runs, alerts and webhook deliveries. Rendered on the
 * server, every text escaped, so nothing in a job name, stop reason or hint can inject markup. The pages
 * around them (job cards, run page, actions, live updates) are in ../dashboard/.
 */

import { formatCost, type Run } from "../../src/host/domain.ts";
import type { WebhookDelivery } from "../../src/host/wiring.ts";
import type { LocalAlert } from "../aws/alerts.ts";
import { lookOf } from "../dashboard/status.ts";
import { formatSpan, formatInstant as time } from "../dashboard/time.ts";

export interface DashboardJob {
  name: string;
  description?: string;
  triggers: string[];
  schedule?: {
    expression: string;
    timezone: string;
    state: "ENABLED" | "DISABLED" | "PAUSED";
    /** In words, e.g. "At 03:00". */
    summary?: string;
  };
  /** ISO 8601 in the job's time zone. */
  nextFireTimes: string[];
  target: string;
  local: string;
  /** The job's last runs, newest first (absent: not gathered). */
  recentRuns?: Run[];
  /** Present when the job can be started over HTTP: the overrides its callers may set. */
  http?: { allowOverrides: string[] };
}

export interface DashboardData {
  jobs: DashboardJob[];
  runs: Run[];
  alerts: LocalAlert[];
  /** Alert webhook deliveries, oldest first (absent: none configured). */
  deliveries?: WebhookDelivery[];
  now: Date;
  ecsUrl: string;
}

export const escapeHtml = (value: unknown): string =>
  String(value ?? "").replace(
    /[&<>"'`]/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "`": "&#96;" })[c] ?? c,
  );

export function durationOf(run: Run, now: Date): string {
  const start = run.startedAt ?? run.createdAt;
  const end =
    run.stoppedAt ?? (run.status === "PENDING" || run.status === "RUNNING" ? now.toISOString() : start);
  return formatSpan(Date.parse(end) - Date.parse(start));
}

export function exitCodesOf(run: Run): string {
  const codes = run.tasks.flatMap((t) =>
    t.containers.filter((c) => c.exitCode !== undefined).map((c) => `${c.name}=${c.exitCode}`),
  );
  return codes.join(" ");
}

function stopOf(run: Run): string {
  // A success ends with "Essential container in task exited" too; that is no news.
  if (run.status === "SUCCEEDED") return "";
  const task =
    run.tasks.find((t) => t.stopCode && t.stopCode !== "EssentialContainerExited") ??
    run.tasks.find((t) => t.stopCode);
  const parts = [task?.stopCode, task?.stoppedReason, ...run.failures.map((f) => f.reason)].filter(Boolean);
  return [...new Set(parts)].join(" — ");
}

export function runsTable(runs: Run[], now: Date): string {
  if (runs.length === 0) return "<p>No runs yet.</p>";
  const rows = runs.map((r) => {
    const cls = lookOf(r.status).cls;
    return `<tr data-run="${escapeHtml(r.runId)}"><td>${escapeHtml(time(r.createdAt))}</td><td><b>${escapeHtml(
      r.job,
    )}</b><div class="muted"><a href="/dashboard/runs/${escapeHtml(encodeURIComponent(r.runId))}">${escapeHtml(r.runId)}</a>${r.attempt > 1 ? ` (attempt ${escapeHtml(r.attempt)})` : ""}</div></td><td>${escapeHtml(
      r.trigger.kind,
    )}</td><td><span class="tag ${cls}">${escapeHtml(r.status)}</span></td><td>${escapeHtml(
      durationOf(r, now),
    )}${r.cost ? `<div class="muted cost">${escapeHtml(formatCost(r.cost))}</div>` : ""}</td><td>${escapeHtml(exitCodesOf(r))}</td><td>${escapeHtml(stopOf(r))}${
      r.hint ? `<div class="hint">${escapeHtml(r.hint)}</div>` : ""
    }</td></tr>`;
  });
  return `<table><thead><tr><th>Created</th><th>Job / run</th><th>Trigger</th><th>Status</th><th>Duration / cost (est.)</th><th>Exit codes</th><th>Stop reason and hint</th></tr></thead><tbody>${rows.join(
    "",
  )}</tbody></table>`;
}

export function alertsList(alerts: LocalAlert[]): string {
  if (alerts.length === 0) return "<p>No alerts.</p>";
  const items = [...alerts]
    .reverse()
    .slice(0, 20)
    .map(
      (a) =>
        `<li><span class="tag bad">${escapeHtml(a.kind ?? a.detailType ?? a.subject ?? "alert")}</span> ${escapeHtml(
          a.job ?? "",
        )} <span class="muted">${escapeHtml(a.runId ?? "")} · ${escapeHtml(a.channel)}${
          a.topicArn ? ` ${escapeHtml(a.topicArn)}` : ""
        } · ${escapeHtml(time(a.receivedAt))}</span></li>`,
    );
  return `<ul class="alerts">${items.join("")}</ul>`;
}

/** The last webhook deliveries: where (host only), whether it took it, and why not. */
export function deliveriesList(deliveries: readonly WebhookDelivery[]): string {
  if (deliveries.length === 0) return "";
  const items = [...deliveries]
    .reverse()
    .slice(0, 20)
    .map(
      (d) =>
        `<li><span class="tag ${d.ok ? "ok" : "bad"}">${d.ok ? "delivered" : "failed"}</span> ${escapeHtml(d.kind)} ${escapeHtml(
          d.job,
        )} <span class="muted">${escapeHtml(d.runId)} · ${escapeHtml(d.host)}${d.signed ? " · signed" : ""} · ${escapeHtml(
          d.ok ? `HTTP ${d.status}` : (d.error ?? ""),
        )} · ${d.attempts} attempt(s) · ${escapeHtml(time(d.at))}</span></li>`,
    );
  return `<h2>Webhook deliveries</h2><ul class="alerts">${items.join("")}</ul>`;
}
