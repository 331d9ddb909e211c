/**
 * Run metrics as CloudWatch Embedded Metric Format log lines, through Powertools Metrics: each run's figures
 * are one JSON line on stdout, which CloudWatch Logs turns into metrics of namespace `ecs-jobs`, dimension
 * `Job` — no PutMetricData call, no request on the path that handles the event.
 *
 * Each call's figures go out on its own line once, or are dropped with a warning that names them; never
 * carried over. Powertools keeps figures in stores on the instance (shared by every run of the container)
 * and empties them only when publishing: a figure refused before that would otherwise go out on the next
 * run's line, under that run's job.
 */
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { Log } from "../log.ts";
import { JOB_DIMENSION, METRICS_NAMESPACE, type MetricDatum, type MetricSink } from "../runs/metrics.ts";

/** How a dropped figure is named in the warning: `RunDuration=62 Seconds`. */
const named = (data: readonly MetricDatum[]) => data.map((d) => `${d.name}=${d.value} ${d.unit}`);

export function emfMetricSink(
  log: Pick<Log, "warn">,
  metrics = new Metrics({ namespace: METRICS_NAMESPACE }),
): MetricSink {
  // Powertools adds a `service` dimension by default; the alarms and the dashboard select on Job alone.
  metrics.clearDefaultDimensions();
  return {
    emit(job, data, properties = {}) {
      // Powertools takes NaN and Infinity and writes them as null, and CloudWatch then extracts no metric
      // from the whole line: such a figure is dropped alone, so that the run's count still goes out.
      const unfit = data.filter((d) => !Number.isFinite(d.value));
      if (unfit.length > 0)
        log.warn("run metrics dropped: not a finite number", { job, ...properties, figures: named(unfit) });
      const figures = data.filter((d) => Number.isFinite(d.value));
      if (figures.length === 0) return;
      try {
        metrics.addDimension(JOB_DIMENSION, job);
        for (const d of figures) metrics.addMetric(d.name, MetricUnit[d.unit], d.value);
        // Typed as strings, stored as given (MetadataStore): numbers stay numbers, for Logs Insights to sum.
        for (const [key, value] of Object.entries(properties)) metrics.addMetadata(key, value as string);
        metrics.publishStoredMetrics();
      } catch (error) {
        metrics.clearMetrics();
        metrics.clearDimensions();
        metrics.clearMetadata();
        // The run's write is done; a figure that cannot be written is worth a log line, not a failed invocation.
        log.warn("run metrics not emitted", {
          job,
          ...properties,
          figures: named(figures),
          error: error instanceof Error ? error.message : String(error),
        });
      }
    },
  };
}
