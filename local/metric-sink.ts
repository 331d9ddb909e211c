/**
 * The local stand-in for CloudWatch metrics: the figures a run's end would put in CloudWatch in AWS (as EMF
 * lines, src/metrics/emf.ts), as one readable log line, so what the alarms and the dashboard would see can be
 * checked locally.
 */
import type { MetricSink } from "../src/host/domain.ts";
import type { LocalLog } from "./log.ts";

export function localMetricSink(log: Pick<LocalLog, "info">): MetricSink {
  return {
    emit(job, metrics, properties = {}) {
      const figures = metrics.map((m) => `${m.name}=${m.value}${m.unit === "Seconds" ? "s" : ""}`).join(" ");
      log.info(`${job}: ${figures}`, properties);
    },
  };
}
