/**
 * SLOW: a run still RUNNING after twice the median duration of its job's last 20 successful runs gets one
 * SLOW alert. With fewer than 3 successful runs there is no meaningful "usual" duration, so no alert.
 */
import { type AlertDeps, deliverAlert } from "../alerts/deliver.ts";
import type { Job } from "../jobspec/schema.ts";
import { loadJobRuns } from "../ledger/history.ts";
import type { RunLedger } from "../ledger/ledger.ts";
import type { Run } from "../runs/model.ts";

/** What the SLOW check calls: the job's run history (for its usual duration) and the alert. */
export type SlowCheckDeps = AlertDeps & { ledger: RunLedger };

export const SLOW_SAMPLE = 20;
export const SLOW_MIN_SAMPLES = 3;
export const SLOW_FACTOR = 2;

export function durationMs(run: Run): number | undefined {
  if (!run.startedAt || !run.stoppedAt) return undefined;
  const ms = Date.parse(run.stoppedAt) - Date.parse(run.startedAt);
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** The median duration of the job's last successful runs, or undefined with too few of them. */
export async function usualDurationMs(deps: { ledger: RunLedger }, job: string): Promise<number | undefined> {
  const successes = (runs: readonly Run[]) =>
    runs.filter((r) => r.status === "SUCCEEDED" && durationMs(r) !== undefined).slice(0, SLOW_SAMPLE);
  const runs = await loadJobRuns(deps.ledger, job, {
    max: 500,
    enough: (rs) => successes(rs).length >= SLOW_SAMPLE,
  });
  const durations = successes(runs).map((r) => durationMs(r) ?? 0);
  return durations.length >= SLOW_MIN_SAMPLES ? median(durations) : undefined;
}

/** "7 seconds", "12.5 minutes", "3.2 hours": a short job's median is seconds, not "0 minutes". */
export function spokenDuration(ms: number): string {
  const s = ms / 1_000;
  const say = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;
  if (s < 90) return say(Math.round(s), "second");
  if (s < 90 * 60) return say(Math.round(s / 6) / 10, "minute");
  return say(Math.round(s / 360) / 10, "hour");
}

/**
 * Alerts SLOW once if the running run is past twice its job's usual duration. `usual` caches the job's
 * median within one sweep. Resolves to true when the alert was sent by this call.
 */
export async function checkSlow(
  deps: SlowCheckDeps,
  job: Job,
  run: Run,
  usual: Map<string, Promise<number | undefined>>,
): Promise<boolean> {
  if (run.status !== "RUNNING" || !run.startedAt || !job.spec.alerts.on.includes("SLOW")) return false;
  let cached = usual.get(job.name);
  if (!cached) {
    cached = usualDurationMs(deps, job.name);
    usual.set(job.name, cached);
  }
  const typical = await cached;
  const elapsed = deps.now().getTime() - Date.parse(run.startedAt);
  if (typical === undefined || elapsed <= SLOW_FACTOR * typical) return false;
  const sent = await deliverAlert(deps, {
    kind: "SLOW",
    job,
    run,
    summary: `${job.name} run ${run.runId} has been running for ${spokenDuration(elapsed)}, more than ${SLOW_FACTOR}x its median of ${spokenDuration(typical)}.`,
    withLogs: true,
  });
  return sent.length > 0;
}
