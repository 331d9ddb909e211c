/**
 * A job's history at a glance: the strip of its last runs (one cell per run, coloured and marked by status,
 * each a link to the run's page) and a bar chart of their durations, as inline SVG (no chart library; the
 * page's CSP allows no other source). Every text is escaped.
 */
import type { Run } from "../../src/host/domain.ts";
import { escapeHtml } from "../http/dashboard.ts";
import { lookOf } from "./status.ts";
import { formatInstant, formatSpan, spanOf } from "./time.ts";

export const runPageHref = (runId: string): string => `/dashboard/runs/${encodeURIComponent(runId)}`;

/** How long a run ran (or has run so far), from its start, else its creation. */
export function runDurationMs(run: Run, now: Date): number | undefined {
  const start = run.startedAt ?? run.createdAt;
  const live = run.status === "PENDING" || run.status === "RUNNING";
  const end = run.stoppedAt ?? (live ? now.toISOString() : undefined);
  return spanOf(start, end);
}

/** `runs` newest first (as the ledger lists them); drawn oldest first, left to right, like a timeline. */
export function runStrip(runs: readonly Run[], now: Date): string {
  if (runs.length === 0) return `<p class="muted">No runs yet.</p>`;
  const cells = [...runs].reverse().map((r) => {
    const look = lookOf(r.status);
    const words = `${r.status} · ${formatInstant(r.createdAt)} · ${formatSpan(runDurationMs(r, now)) || "no duration"}`;
    return `<li><a class="cell ${look.cls}" href="${escapeHtml(runPageHref(r.runId))}" title="${escapeHtml(words)}" data-status="${escapeHtml(r.status)}"><span aria-hidden="true">${escapeHtml(look.mark)}</span><span class="sr">${escapeHtml(words)}</span></a></li>`;
  });
  return `<ol class="strip" aria-label="last ${runs.length} runs, oldest first">${cells.join("")}</ol>`;
}

/** One column per run, the width of a strip cell plus its gap (assets/app.css), so a bar sits over its cell. */
const CELL = 18;
const GAP = 3;
const H = 48;

/** Bars of the runs' durations, scaled to the longest; a run without a duration gets a stub. */
export function durationChart(runs: readonly Run[], now: Date): string {
  const timed = [...runs].reverse().map((r) => ({ run: r, ms: runDurationMs(r, now) }));
  if (timed.length === 0) return "";
  const longest = Math.max(1, ...timed.map((t) => t.ms ?? 0));
  const width = timed.length * (CELL + GAP) - GAP;
  const bars = timed.map(({ run, ms }, i) => {
    const h = ms === undefined ? 2 : Math.max(2, Math.round(((H - 4) * ms) / longest));
    const x = i * (CELL + GAP);
    const what = `${run.status}: ${formatSpan(ms) || "no duration"} (${formatInstant(run.createdAt)})`;
    return `<rect class="${lookOf(run.status).cls}" x="${x}" y="${H - h}" width="${CELL}" height="${h}"><title>${escapeHtml(what)}</title></rect>`;
  });
  const label = `Durations of the last ${timed.length} runs; the longest took ${formatSpan(longest)}`;
  return `<svg class="chart" viewBox="0 0 ${width} ${H}" width="${width}" height="${H}" role="img" aria-label="${escapeHtml(label)}">${bars.join("")}</svg>`;
}

/** The chart over the strip, bar over cell, with the scale in words. */
export function runHistory(runs: readonly Run[], now: Date): string {
  if (runs.length === 0) return runStrip(runs, now);
  const longest = Math.max(0, ...runs.map((r) => runDurationMs(r, now) ?? 0));
  return `<div class="history">${durationChart(runs, now)}${runStrip(runs, now)}<p class="muted">last ${runs.length} runs, oldest first · bar height = duration, longest ${escapeHtml(
    formatSpan(longest),
  )}</p></div>`;
}
