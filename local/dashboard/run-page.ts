/**
 * A run's page (GET /dashboard/runs/{runId}): status, trigger, each task's timeline (PROVISIONING →
 * PENDING → RUNNING → STOPPED), exit codes, stop code and reason, the hint, the cost (an estimate), Stop
 * while it is in flight, and its log lines (fetched by assets/app.js from GET /runs/{runId}/logs, the
 * route the `logs` command's API twin serves). The run given here is already redacted (redactSecrets).
 */
import { describeCost, isFinal, type Run, type TaskState } from "../../src/host/domain.ts";
import { escapeHtml } from "../http/dashboard.ts";
import { runDurationMs } from "./charts.ts";
import { statusBadge, stopButton } from "./overview.ts";
import { formatInstant, formatSpan, spanOf } from "./time.ts";
import { type PhaseSpan, phaseMs, taskPhases } from "./timeline.ts";

const PHASE_CLASS: Record<PhaseSpan["phase"], string> = {
  PROVISIONING: "p-prov",
  PENDING: "p-pend",
  RUNNING: "p-run",
  STOPPED: "p-stop",
};

const W = 600;
const H = 18;

/** One bar on the run's time scale [start, end]: a segment per phase, each with its name in a tooltip. */
function timelineBar(phases: readonly PhaseSpan[], start: string, end: string, now: Date): string {
  const total = Math.max(1, spanOf(start, end) ?? 1);
  const x = (iso: string) => Math.max(0, Math.min(W, ((spanOf(start, iso) ?? 0) / total) * W));
  const segments = phases
    .filter((p) => p.phase !== "STOPPED")
    .map((p) => {
      const from = x(p.from);
      const to = x(p.to ?? now.toISOString());
      const what = `${p.phase} ${formatSpan(phaseMs(p, now))}`;
      return `<rect class="${PHASE_CLASS[p.phase]}" x="${from.toFixed(1)}" y="0" width="${Math.max(1, to - from).toFixed(1)}" height="${H}"><title>${escapeHtml(what)}</title></rect>`;
    });
  const label = phases.map((p) => p.phase).join(" → ");
  return `<svg class="timeline" viewBox="0 0 ${W} ${H}" preserveAspectRatio="none" role="img" aria-label="${escapeHtml(label)}">${segments.join("")}</svg>`;
}

function phaseList(phases: readonly PhaseSpan[], now: Date): string {
  const items = phases.map((p) => {
    const len = formatSpan(phaseMs(p, now));
    return `<li><span class="phase ${PHASE_CLASS[p.phase]}">${p.phase}</span> ${escapeHtml(formatInstant(p.from))}${
      len ? ` <span class="muted">(${escapeHtml(len)}${p.to ? "" : ", so far"})</span>` : ""
    }</li>`;
  });
  return `<ol class="phases">${items.join("")}</ol>`;
}

function containersTable(task: TaskState): string {
  if (task.containers.length === 0) return "";
  const rows = task.containers.map(
    (c) =>
      `<tr><td>${escapeHtml(c.name)}${c.essential === false ? ' <span class="muted">(not essential)</span>' : ""}</td><td>${escapeHtml(
        c.lastStatus ?? "",
      )}</td><td class="num">${c.exitCode === undefined ? "—" : `<b>${escapeHtml(c.exitCode)}</b>`}</td><td>${escapeHtml(c.reason ?? "")}</td></tr>`,
  );
  return `<table><thead><tr><th>Container</th><th>Status</th><th>Exit code</th><th>Reason</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function taskSection(run: Run, task: TaskState, end: string, now: Date): string {
  const phases = taskPhases(run, task);
  const id = task.taskArn.split("/").at(-1) ?? task.taskArn;
  const stop = [task.stopCode, task.stoppedReason]
    .filter(Boolean)
    .map((s) => escapeHtml(s))
    .join(" — ");
  return `<section class="task" aria-label="task ${escapeHtml(id)}"><h3>Task <code>${escapeHtml(id)}</code> ${statusBadge(
    task.lastStatus,
  )}</h3>${timelineBar(phases, run.createdAt, end, now)}${phaseList(phases, now)}${
    stop ? `<p><b>Stop:</b> ${stop}</p>` : ""
  }${containersTable(task)}</section>`;
}

/** The end of the run's time scale: its stop, the last task's stop, or now while it lasts. */
function scaleEnd(run: Run, now: Date): string {
  if (!isFinal(run.status)) return now.toISOString();
  const stops = run.tasks.map((t) => t.stoppedAt).filter((s): s is string => s !== undefined);
  return (
    [run.stoppedAt, ...stops]
      .filter((s): s is string => !!s)
      .sort()
      .at(-1) ?? now.toISOString()
  );
}

export function renderRunMain(run: Run, now: Date): string {
  const end = scaleEnd(run, now);
  const cost = describeCost(run.cost);
  const facts = [
    ["Job", `<a href="/#job-${escapeHtml(run.job)}">${escapeHtml(run.job)}</a>`],
    [
      "Trigger",
      `${escapeHtml(run.trigger.kind)}${run.trigger.by ? ` by ${escapeHtml(run.trigger.by)}` : ""}`,
    ],
    ["Attempt", escapeHtml(run.attempt)],
    ["Created", escapeHtml(formatInstant(run.createdAt))],
    ["Started", escapeHtml(formatInstant(run.startedAt)) || "—"],
    ["Stopped", escapeHtml(formatInstant(run.stoppedAt)) || "—"],
    ["Duration", escapeHtml(formatSpan(runDurationMs(run, now))) || "—"],
    [
      "Cost",
      cost
        ? `${escapeHtml(cost)} <span class="tag s-muted">estimate</span>`
        : `<span class="muted">none (yet)</span>`,
    ],
    ...(run.cancelledBy
      ? [
          [
            "Cancelled by",
            `<a href="/dashboard/runs/${escapeHtml(encodeURIComponent(run.cancelledBy))}">${escapeHtml(run.cancelledBy)}</a>`,
          ],
        ]
      : []),
  ];
  const failures = run.failures.length
    ? `<ul class="failures">${run.failures.map((f) => `<li>${escapeHtml(f.reason)}${f.detail ? ` — ${escapeHtml(f.detail)}` : ""}</li>`).join("")}</ul>`
    : "";
  const notes = run.notes?.length
    ? `<ul class="muted">${run.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join("")}</ul>`
    : "";
  const overrides = run.overrides
    ? `<details><summary>Overrides (secret values redacted)</summary><pre>${escapeHtml(JSON.stringify(run.overrides, null, 2))}</pre></details>`
    : "";
  const tasks = run.tasks.length
    ? run.tasks.map((t) => taskSection(run, t, end, now)).join("")
    : `<p class="muted">No task yet.</p>`;
  const legend = `<p class="legend muted">${(["PROVISIONING", "PENDING", "RUNNING"] as const)
    .map((p) => `<span class="phase ${PHASE_CLASS[p]}">${p}</span>`)
    .join(" ")} · PROVISIONING counted from the launch request</p>`;
  return `<main id="main" data-run="${escapeHtml(run.runId)}">
<p><a href="/">← all jobs</a></p>
<div data-live id="run-head"><h2>Run <code>${escapeHtml(run.runId)}</code> ${statusBadge(run.status)} ${
    isFinal(run.status) ? "" : stopButton(run.runId)
  }</h2>
<dl class="facts">${facts.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join("")}</dl>
${run.hint ? `<div class="hint" role="note"><b>Hint:</b> ${escapeHtml(run.hint)}</div>` : ""}${failures}${notes}${overrides}</div>
<p class="msg" role="status" aria-live="polite" id="run-msg"></p>
<section data-live id="tasks"><h2>Tasks</h2>${legend}${tasks}</section>
<section id="logs"><h2>Logs</h2><pre id="log-lines" tabindex="0" aria-label="log lines" data-src="/runs/${escapeHtml(
    encodeURIComponent(run.runId),
  )}/logs?limit=500">loading…</pre></section>
</main>`;
}
