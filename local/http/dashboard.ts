/**
 * The dashboard at GET / : jobs, triggers, next fire times, recent runs (status, duration, exit codes, stop
 * reason, hint) and recent alerts. Rendered on the server, every text escaped, so the page works without
 * JavaScript and nothing in a job name, stop reason or hint can inject markup; a few lines of inline script
 * (allowed by nonce, nothing else is) re-fetch the <main> fragment every few seconds.
 */

import type { WebhookDelivery } from "../../src/deps.ts";
import { formatCost } from "../../src/runs/cost.ts";
import type { Run } from "../../src/runs/model.ts";
import type { LocalAlert } from "../aws/alerts.ts";

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

const STATUS_CLASS: Record<string, string> = {
  PENDING: "pending",
  RUNNING: "running",
  SUCCEEDED: "ok",
  FAILED: "bad",
  TIMED_OUT: "bad",
  MISSED: "warn",
  SKIPPED: "muted",
  CANCELLED: "muted",
};

export function durationOf(run: Run, now: Date): string {
  const start = run.startedAt ?? run.createdAt;
  const end =
    run.stoppedAt ?? (run.status === "PENDING" || run.status === "RUNNING" ? now.toISOString() : start);
  const ms = Date.parse(end) - Date.parse(start);
  if (!Number.isFinite(ms) || ms < 0) return "";
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  return m < 60 ? `${m} min ${Math.floor((ms % 60_000) / 1000)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
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

const time = (iso: string | undefined): string => (iso ? iso.replace("T", " ").replace(/\.\d+Z$/, "Z") : "");

function jobsTable(jobs: DashboardJob[]): string {
  if (jobs.length === 0) return "<p>No jobs.</p>";
  const rows = jobs.map((j) => {
    const sched = j.schedule
      ? `${escapeHtml(j.schedule.expression)} <span class="muted">${escapeHtml(j.schedule.timezone)}</span>${
          j.schedule.state === "ENABLED"
            ? ""
            : ` <span class="tag warn">${escapeHtml(j.schedule.state)}</span>`
        }${j.schedule.summary ? `<div class="muted">${escapeHtml(j.schedule.summary)}</div>` : ""}`
      : "";
    return `<tr data-job="${escapeHtml(j.name)}"><td><b>${escapeHtml(j.name)}</b><div class="muted">${escapeHtml(
      j.description ?? "",
    )}</div></td><td>${escapeHtml(j.triggers.join(", ") || "manual")}<div>${sched}</div></td><td>${j.nextFireTimes
      .map((t) => escapeHtml(t))
      .join("<br>")}</td><td>${escapeHtml(j.target)}</td><td class="muted">${escapeHtml(j.local)}</td></tr>`;
  });
  return `<table><thead><tr><th>Job</th><th>Triggers</th><th>Next fire times</th><th>Target</th><th>Locally</th></tr></thead><tbody>${rows.join(
    "",
  )}</tbody></table>`;
}

function runsTable(runs: Run[], now: Date): string {
  if (runs.length === 0) return "<p>No runs yet.</p>";
  const rows = runs.map((r) => {
    const cls = STATUS_CLASS[r.status] ?? "muted";
    return `<tr data-run="${escapeHtml(r.runId)}"><td>${escapeHtml(time(r.createdAt))}</td><td><b>${escapeHtml(
      r.job,
    )}</b><div class="muted">${escapeHtml(r.runId)}${r.attempt > 1 ? ` (attempt ${escapeHtml(r.attempt)})` : ""}</div></td><td>${escapeHtml(
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

function alertsList(alerts: LocalAlert[]): string {
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

/** The part the page re-fetches. */
export function renderMain(d: DashboardData): string {
  return `<main id="main"><p class="muted">Updated ${escapeHtml(time(d.now.toISOString()))} · ECS emulator ${escapeHtml(
    d.ecsUrl,
  )}</p><h2>Jobs</h2>${jobsTable(d.jobs)}<h2>Recent runs</h2>${runsTable(d.runs, d.now)}<h2>Alerts</h2>${alertsList(
    d.alerts,
  )}${deliveriesList(d.deliveries ?? [])}</main>`;
}

export const DASHBOARD_REFRESH_MS = 3_000;

export function renderDashboard(d: DashboardData, nonce: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>ecs-jobs (local)</title>
<style nonce="${nonce}">
body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#222}
table{border-collapse:collapse;width:100%;margin-bottom:1rem}
th,td{text-align:left;vertical-align:top;padding:.35rem .5rem;border-bottom:1px solid #ddd}
th{background:#f4f4f4}.muted{color:#777;font-size:12px}.hint{color:#555;font-size:12px;margin-top:.25rem}
.tag{display:inline-block;padding:0 .4rem;border-radius:3px;font-size:12px;background:#eee}
.ok{background:#d8f5d8}.bad{background:#fbd5d5}.warn{background:#fdf0c2}.running{background:#d5e8fb}.pending{background:#eee}
.alerts{padding-left:1rem}
</style></head>
<body><h1>ecs-jobs <span class="muted">local stack</span></h1>
${renderMain(d)}
<script nonce="${nonce}">
(() => {
  // The session cookie authenticates it (same origin).
  const refresh = async () => {
    try {
      const r = await fetch("/?partial=1");
      if (r.ok) document.getElementById("main").outerHTML = await r.text();
    } catch {}
  };
  setInterval(refresh, ${DASHBOARD_REFRESH_MS});
})();
</script></body></html>
`;
}
