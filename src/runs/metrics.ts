/**
 * The run metrics of SPEC section 6, per job: what ended how, how long it ran, how long it took to start,
 * how many retries were launched. Pure: which figures a run gives; sending them is a MetricSink's job
 * (EMF log lines in AWS: src/metrics/emf.ts), so the core does not depend on how they leave.
 *
 * Counted once: the ledger tells of a run's end only from the one write that made it final (and of a
 * retry only from the write that created it), never from a duplicate or late event that finds it final
 * already (RunTransitions in model.ts). A write that succeeds in a crashing invocation loses its figure
 * rather than counting twice.
 */
import type { Run, RunTransitions } from "./model.ts";

export const METRICS_NAMESPACE = "ecs-jobs";
export const JOB_DIMENSION = "Job";

export type MetricUnit = "Count" | "Seconds";

export interface MetricDatum {
  name: string;
  unit: MetricUnit;
  value: number;
}

/** Fields that go with the figures but are not metrics (no dimension, no per-metric price): what run, what cost. */
export type MetricProperties = Readonly<Record<string, string | number>>;

/** Where metrics go, one job's figures at a time (they share the Job dimension). */
export interface MetricSink {
  emit(job: string, metrics: readonly MetricDatum[], properties?: MetricProperties): void;
}

/**
 * The count metric of each final status that has one. Keyed by string, not RunStatus: CANCELLED counts
 * wherever the model has it. SKIPPED runs (never launched) have none.
 */
export const ENDED_METRIC: Readonly<Record<string, string>> = {
  SUCCEEDED: "RunsSucceeded",
  FAILED: "RunsFailed",
  TIMED_OUT: "RunsTimedOut",
  MISSED: "RunsMissed",
  CANCELLED: "RunsCancelled",
};

export const RUN_METRIC_NAMES = [
  ...Object.values(ENDED_METRIC),
  "RunDuration",
  "StartLatency",
  "Retries",
] as const;

const seconds = (from: string | undefined, to: string | undefined): number | undefined => {
  const ms = Date.parse(to ?? "") - Date.parse(from ?? "");
  return Number.isNaN(ms) ? undefined : Math.max(0, ms) / 1000;
};

/**
 * A final run's figures: its count, RunDuration (first task started → last stopped) when it ran, and
 * StartLatency (the fire time a schedule meant, else when the run was asked for → first task RUNNING).
 */
export function runEndMetrics(run: Run): MetricDatum[] {
  const out: MetricDatum[] = [];
  const counted = ENDED_METRIC[run.status];
  if (counted) out.push({ name: counted, unit: "Count", value: 1 });
  const duration = run.startedAt ? seconds(run.startedAt, run.stoppedAt) : undefined;
  if (duration !== undefined) out.push({ name: "RunDuration", unit: "Seconds", value: duration });
  const firedAt = run.trigger.scheduledTime ?? run.createdAt;
  const latency = run.startedAt ? seconds(firedAt, run.startedAt) : undefined;
  if (latency !== undefined) out.push({ name: "StartLatency", unit: "Seconds", value: latency });
  return out;
}

/**
 * What goes beside a run's end figures: its id and status, and its estimated cost when known. The cost is
 * a property, not a metric: a metric per job costs money every month, while the CloudWatch dashboard can
 * sum these fields from the log lines (deploy/dashboard.ts). A run ended by a deadline has its tasks still
 * stopping, so no cost yet.
 */
export function runEndProperties(run: Run): MetricProperties {
  const cost = run.cost;
  return {
    runId: run.runId,
    status: run.status,
    ...(cost && { vcpuSeconds: cost.vcpuSeconds, gbSeconds: cost.gbSeconds }),
    ...(cost?.usd !== undefined && { estimatedCostUsd: cost.usd }),
  };
}

/** What the ledger's transitions mean as metrics: a created attempt after the first is a retry. */
export function metricsOnTransitions(sink: MetricSink): RunTransitions {
  return {
    created(run) {
      if (run.attempt > 1) sink.emit(run.job, [{ name: "Retries", unit: "Count", value: 1 }]);
    },
    ended(run) {
      const metrics = runEndMetrics(run);
      if (metrics.length > 0) sink.emit(run.job, metrics, runEndProperties(run));
    },
  };
}
