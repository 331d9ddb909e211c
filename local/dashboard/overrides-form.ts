/**
 * The "Run now" form of a job: one field per entry of its `http.allowOverrides`, the same allowlist the
 * API enforces (src/http/overrides.ts), so the page offers nothing the API would refuse for not being
 * allowed. The API still checks everything; the page only shapes the body (assets/app.js reads the
 * data-* attributes written here).
 */
import { MAX_TASK_COUNT, OVERRIDE_PATH } from "../../src/host/domain.ts";
import { escapeHtml } from "../http/dashboard.ts";

export type FieldKind = "count" | "cpu" | "memory" | "command" | "env" | "env-any";

export interface OverrideField {
  /** The allowlist entry, as written in the spec (also the field named in the API's 400s). */
  entry: string;
  kind: FieldKind;
  container?: string;
  /** For kind "env": the variable's name. */
  name?: string;
}

/** The fields for an allowlist; entries the spec schema would refuse (none, once validated) are left out. */
export function overrideFields(allow: readonly string[]): OverrideField[] {
  return allow.flatMap((entry): OverrideField[] => {
    const m = OVERRIDE_PATH.exec(entry);
    if (!m) return [];
    const item = m[3];
    if (!item) return [{ entry, kind: m[1] as "count" | "cpu" | "memory" }];
    const container = m[2]?.slice(0, -1);
    const base = { entry, ...(container && { container }) };
    if (item === "command") return [{ ...base, kind: "command" }];
    if (item === "environment.*") return [{ ...base, kind: "env-any" }];
    return [{ ...base, kind: "env", name: item.slice("environment.".length) }];
  });
}

const HELP: Record<FieldKind, string> = {
  count: `tasks, 1..${MAX_TASK_COUNT}`,
  cpu: 'CPU units or "1 vCPU"',
  memory: 'MiB or "2 GB"',
  command: "words separated by spaces, or a JSON list",
  env: "value",
  "env-any": "NAME=value, one per line",
};

function field(job: string, f: OverrideField, i: number): string {
  const id = `ov-${job}-${i}`;
  const data = `data-kind="${f.kind}"${f.container ? ` data-container="${escapeHtml(f.container)}"` : ""}${
    f.name ? ` data-name="${escapeHtml(f.name)}"` : ""
  } data-entry="${escapeHtml(f.entry)}"`;
  const input =
    f.kind === "env-any"
      ? `<textarea id="${id}" rows="2" ${data}></textarea>`
      : `<input id="${id}" ${f.kind === "count" ? `type="number" min="1" max="${MAX_TASK_COUNT}"` : 'type="text"'} autocomplete="off" ${data}>`;
  return `<div class="field"><label for="${id}">${escapeHtml(f.entry)} <span class="muted">(${HELP[f.kind]})</span></label>${input}</div>`;
}

/** The form, or a note saying why there is none (the API answers 403 for a job without `http`). */
export function runNowForm(job: string, http: { allowOverrides: readonly string[] } | undefined): string {
  if (!http)
    return `<p class="muted note">Run now is off: this job has no <code>http</code> section, so the API refuses it (403).</p>`;
  const fields = overrideFields(http.allowOverrides);
  const body = fields.length
    ? `<details><summary>Overrides (${fields.length} allowed)</summary>${fields.map((f, i) => field(job, f, i)).join("")}</details>`
    : "";
  return `<form class="run-now" data-job="${escapeHtml(job)}" aria-label="Run ${escapeHtml(job)} now">${body}<button type="submit" class="primary" id="run-${escapeHtml(job)}">Run now</button></form>`;
}
