/**
 * The dashboard's front page (GET /): one card per job — its state, next fire time, last result, the strip
 * of its last runs and their durations, its runs in flight with a Stop button, Run now and Pause/Resume —
 * then the recent runs of all jobs, alerts and webhook deliveries.
 *
 * Regions marked data-live are what a live update replaces (assets/app.js); the Run now forms are outside
 * them, so an update never wipes what someone is typing.
 */
import { formatCost, isFinal, type Run } from "../../src/host/domain.ts";
import {
  alertsList,
  type DashboardData,
  type DashboardJob,
  deliveriesList,
  escapeHtml,
  runsTable,
} from "../http/dashboard.ts";
import { runDurationMs, runHistory, runPageHref } from "./charts.ts";
import { runNowForm } from "./overrides-form.ts";
import { lookOf } from "./status.ts";
import { formatInstant, formatSpan } from "./time.ts";

export const statusBadge = (status: string): string =>
  `<span class="tag ${lookOf(status).cls}">${escapeHtml(status)}</span>`;

function stateBadge(j: DashboardJob): string {
  if (!j.schedule) return `<span class="tag s-muted" title="no schedule">NOT SCHEDULED</span>`;
  const cls = j.schedule.state === "ENABLED" ? "s-ok" : j.schedule.state === "PAUSED" ? "s-warn" : "s-muted";
  return `<span class="tag ${cls}" data-state="${escapeHtml(j.schedule.state)}">${escapeHtml(j.schedule.state)}</span>`;
}

function lastResult(run: Run | undefined, now: Date): string {
  if (!run) return `<span class="muted">none yet</span>`;
  const cost = run.cost ? ` · <span title="estimate">${escapeHtml(formatCost(run.cost))} (est.)</span>` : "";
  return `${statusBadge(run.status)} <a href="${escapeHtml(runPageHref(run.runId))}">${escapeHtml(
    formatInstant(run.createdAt),
  )}</a> · ${escapeHtml(formatSpan(runDurationMs(run, now)))}${cost}`;
}

function nextFire(j: DashboardJob): string {
  if (!j.schedule) return "—";
  if (j.schedule.state !== "ENABLED") return `none (${escapeHtml(j.schedule.state.toLowerCase())})`;
  return escapeHtml(j.nextFireTimes[0] ?? "—");
}

function inFlight(runs: readonly Run[]): string {
  const active = runs.filter((r) => !isFinal(r.status));
  if (active.length === 0) return "";
  const items = active.map(
    (r) =>
      `<li>${statusBadge(r.status)} <a href="${escapeHtml(runPageHref(r.runId))}">${escapeHtml(r.runId)}</a> ${stopButton(r.runId)}</li>`,
  );
  return `<ul class="inflight" aria-label="runs in flight">${items.join("")}</ul>`;
}

export const stopButton = (runId: string): string =>
  `<button type="button" class="danger" data-action="stop" data-run="${escapeHtml(runId)}" id="stop-${escapeHtml(runId)}">Stop</button>`;

function scheduleToggle(j: DashboardJob): string {
  if (!j.schedule || j.schedule.state === "DISABLED") return "";
  const pause = j.schedule.state === "ENABLED";
  return `<button type="button" data-action="${pause ? "pause" : "resume"}" data-job="${escapeHtml(j.name)}" id="toggle-${escapeHtml(j.name)}">${pause ? "Pause" : "Resume"}</button>`;
}

function jobCard(j: DashboardJob, now: Date): string {
  const runs = j.recentRuns ?? [];
  const id = `job-${j.name}`;
  const schedule = j.schedule
    ? `${escapeHtml(j.schedule.expression)} <span class="muted">${escapeHtml(j.schedule.timezone)}${
        j.schedule.summary ? ` · ${escapeHtml(j.schedule.summary)}` : ""
      }</span>`
    : escapeHtml(j.triggers.join(", ") || "manual");
  return `<article class="job" id="${id}" data-job="${escapeHtml(j.name)}" aria-labelledby="${id}-h">
<header><h2 id="${id}-h">${escapeHtml(j.name)}</h2><span data-live id="${id}-state">${stateBadge(j)}</span></header>
${j.description ? `<p class="muted desc">${escapeHtml(j.description)}</p>` : ""}
<div data-live id="${id}-live">
<dl class="facts"><dt>Schedule</dt><dd>${schedule}</dd><dt>Next fire</dt><dd>${nextFire(j)}</dd><dt>Last result</dt><dd>${lastResult(
    runs[0],
    now,
  )}</dd><dt>Target</dt><dd>${escapeHtml(j.target)} <span class="muted">· locally ${escapeHtml(j.local)}</span></dd></dl>
${runHistory(runs, now)}
${inFlight(runs)}
</div>
<div class="actions">${runNowForm(j.name, j.http)}<span data-live id="${id}-toggle">${scheduleToggle(j)}</span></div>
<p class="msg" role="status" aria-live="polite" id="${id}-msg"></p>
</article>`;
}

/** The part a live update re-fetches (GET /?partial=1). */
export function renderOverviewMain(d: DashboardData): string {
  const jobs = d.jobs.length
    ? d.jobs.map((j) => jobCard(j, d.now)).join("\n")
    : `<p>No jobs: add a YAML file to the jobs folder.</p>`;
  return `<main id="main" data-jobs="${escapeHtml(d.jobs.map((j) => j.name).join(","))}">
<p class="muted" data-live id="updated">Updated ${escapeHtml(formatInstant(d.now.toISOString()))} · ECS emulator ${escapeHtml(d.ecsUrl)}</p>
<section class="jobs" aria-label="jobs">${jobs}</section>
<section data-live id="recent"><h2>Recent runs</h2>${runsTable(d.runs, d.now)}</section>
<section data-live id="alerts"><h2>Alerts</h2>${alertsList(d.alerts)}${deliveriesList(d.deliveries ?? [])}</section>
</main>`;
}
