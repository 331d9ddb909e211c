/**
 * `ecs-jobs runs [NAME] [--limit N] [--json]`: recent runs with status, duration, estimated cost, exit
 * codes, stop reason.
 */
import { redactSecrets } from "../../alerts/redact.ts";
import type { RunLedger } from "../../ledger/ledger.ts";
import { taskSucceeded } from "../../runs/aggregate.ts";
import { formatCost } from "../../runs/cost.ts";
import type { Run } from "../../runs/model.ts";
import { DEFAULT_JOBS_DIR, parsePositiveInt, printJson } from "../context.ts";
import { type AwsOptions, awsDepsOptions, explainingTarget } from "./aws-options.ts";
import { defineCommand } from "./define-command.ts";

const REASON_MAX = 60;

async function recentRuns(ledger: RunLedger, name: string | undefined, limit: number): Promise<Run[]> {
  const runs: Run[] = [];
  let next: string | undefined;
  do {
    const options = { limit: Math.min(100, limit - runs.length), ...(next && { next }) };
    const page = name ? await ledger.listByJob(name, options) : await ledger.listRecent(options);
    runs.push(...page.runs);
    next = page.next;
  } while (next && runs.length < limit);
  return runs.slice(0, limit);
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

function duration(run: Run, now: Date): string {
  if (!run.startedAt) return "-";
  const end = run.stoppedAt ? Date.parse(run.stoppedAt) : now.getTime();
  const text = formatDuration(Math.max(0, end - Date.parse(run.startedAt)));
  return run.stoppedAt ? text : `${text}+`;
}

/** `app=1 sidecar=0`: each container's exit codes across the run's tasks. */
export function exitCodes(run: Run): string {
  const byName = new Map<string, Set<number>>();
  for (const t of run.tasks)
    for (const c of t.containers) {
      if (c.exitCode === undefined) continue;
      byName.set(c.name, (byName.get(c.name) ?? new Set()).add(c.exitCode));
    }
  return [...byName].map(([name, codes]) => `${name}=${[...codes].join(",")}`).join(" ") || "-";
}

/** What stopped the first failed task, or why tasks were not placed. */
export function stopReason(run: Run): string {
  const failed = run.tasks.find((t) => t.lastStatus === "STOPPED" && !taskSucceeded(t));
  const text = failed
    ? [failed.stopCode, failed.stoppedReason].filter(Boolean).join(": ")
    : (run.failures[0]?.reason ?? "");
  if (!text) return "-";
  return text.length > REASON_MAX ? `${text.slice(0, REASON_MAX - 1)}…` : text;
}

export function runsTable(runs: readonly Run[], now: Date): string {
  const rows = [
    ["RUN", "JOB", "STATUS", "CREATED", "DURATION", "COST (EST.)", "EXIT CODES", "STOP REASON"],
    ...runs.map((r) => [
      r.runId,
      r.job,
      r.attempt > 1 ? `${r.status} (attempt ${r.attempt})` : r.status,
      r.createdAt.replace(/\.\d+Z$/, "Z"),
      duration(r, now),
      formatCost(r.cost),
      exitCodes(r),
      stopReason(r),
    ]),
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows
    .map((r) => `${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join("  ")}\n`)
    .join("");
}

interface RunsOptions extends AwsOptions {
  jobs: string;
  limit: string;
  json?: boolean;
}

export const registerRuns = defineCommand({
  name: "runs",
  argument: ["[name]", "only the runs of this job"],
  description: "recent runs, newest first: status, duration, estimated cost, exit codes, stop reason",
  options: (command) =>
    command
      .option("--jobs <dir>", "jobs folder", DEFAULT_JOBS_DIR)
      .option("--limit <n>", "how many runs", "20")
      .option("--json", "print the runs as JSON"),
  aws: "read the run table",
  action: async ({ io, now, makeDeps }, name: string | undefined, opts: RunsOptions) => {
    const limit = parsePositiveInt(opts.limit, "--limit");
    const deps = await makeDeps(io, { ...awsDepsOptions(opts), jobsDir: opts.jobs, now });
    const runs = await explainingTarget(deps.awsTarget, () => recentRuns(deps.ledger, name, limit));
    if (opts.json) printJson(io, redactSecrets(runs));
    else if (runs.length === 0) io.stdout(name ? `no runs of ${name}\n` : "no runs\n");
    else io.stdout(runsTable(runs, now()));
  },
});
