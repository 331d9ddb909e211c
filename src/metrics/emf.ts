/**
 * Run metrics as CloudWatch Embedded Metric Format log lines, through Powertools Metrics: each run's figures
 * are one JSON line on stdout, which CloudWatch Logs turns into metrics of namespace `ecs-jobs`, dimension
 * `Job` — no PutMetricData call, no request on the path that handles the event.
 */
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { Log } from "../log.ts";
import { JOB_DIMENSION, METRICS_NAMESPACE, type MetricSink } from "../runs/metrics.ts";

export function emfMetricSink(
  log: Pick<Log, "warn">,
  metrics = new Metrics({ namespace: METRICS_NAMESPACE }),
): MetricSink {
  // Powertools adds a `service` dimension by default; the alarms and the dashboard select on Job alone.
  metrics.clearDefaultDimensions();
  return {
    emit(job, data, properties = {}) {
      try {
        metrics.addDimension(JOB_DIMENSION, job);
        for (const d of data) metrics.addMetric(d.name, MetricUnit[d.unit], d.value);
        // Typed as strings, stored as given (MetadataStore): numbers stay numbers, for Logs Insights to sum.
        for (const [key, value] of Object.entries(properties)) metrics.addMetadata(key, value as string);
        metrics.publishStoredMetrics();
      } catch (error) {
        // The run's write is done; a figure that cannot be written is worth a log line, not a failed invocation.
        log.warn("run metrics not emitted", {
          job,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    },
  };
}
