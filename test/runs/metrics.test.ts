import { describe, expect, it } from "vitest";
import {
  ENDED_METRIC,
  type MetricDatum,
  metricsOnTransitions,
  RUN_METRIC_NAMES,
  runEndMetrics,
  runEndProperties,
} from "../../src/runs/metrics.ts";
import type { Run } from "../../src/runs/model.ts";
import { runFixture } from "../support/events.ts";

// runFixture: scheduledTime 17:57:00Z, createdAt 17:57:30Z.
const ended = (o: Partial<Run>): Run => runFixture({ status: "SUCCEEDED", ...o });

describe("runEndMetrics", () => {
  it("counts the run, and gives its duration and the latency from the fire time to the first task RUNNING", () => {
    const run = ended({ startedAt: "2020-01-23T17:57:45.500Z", stoppedAt: "2020-01-23T17:59:45.500Z" });
    expect(runEndMetrics(run)).toEqual([
      { name: "RunsSucceeded", unit: "Count", value: 1 },
      { name: "RunDuration", unit: "Seconds", value: 120 },
      { name: "StartLatency", unit: "Seconds", value: 45.5 },
    ]);
  });

  it("measures latency from when the run was asked for when no schedule fired it", () => {
    const run = ended({
      trigger: { kind: "http", id: "req-1" },
      startedAt: "2020-01-23T17:57:40.000Z",
      stoppedAt: "2020-01-23T17:58:00.000Z",
    });
    expect(runEndMetrics(run)).toContainEqual({ name: "StartLatency", unit: "Seconds", value: 10 });
  });

  it.each([
    ["FAILED", "RunsFailed"],
    ["TIMED_OUT", "RunsTimedOut"],
    ["MISSED", "RunsMissed"],
    ["CANCELLED", "RunsCancelled"],
  ])("a %s run counts as %s", (status, name) => {
    expect(runEndMetrics(ended({ status: status as Run["status"] }))).toEqual([
      { name, unit: "Count", value: 1 },
    ]);
  });

  it("a run that never started has no duration or latency; a SKIPPED run has no figure at all", () => {
    expect(runEndMetrics(ended({ status: "FAILED", stoppedAt: "2020-01-23T17:58:00.000Z" }))).toEqual([
      { name: "RunsFailed", unit: "Count", value: 1 },
    ]);
    expect(runEndMetrics(ended({ status: "SKIPPED" }))).toEqual([]);
  });

  it("names exactly the metrics of SPEC section 6", () => {
    expect([...RUN_METRIC_NAMES].sort()).toEqual(
      [
        "RunsSucceeded",
        "RunsFailed",
        "RunsTimedOut",
        "RunsMissed",
        "RunsCancelled",
        "RunDuration",
        "StartLatency",
        "Retries",
      ].sort(),
    );
    expect(Object.keys(ENDED_METRIC)).toHaveLength(5);
  });
});

describe("runEndProperties", () => {
  it("carry the run id, status and estimated cost beside the figures", () => {
    const cost = {
      vcpuSeconds: 17,
      gbSeconds: 34,
      usd: 0.000233,
      pricing: { source: "estimate" as const, region: "us-west-2", asOf: "2025-01" },
    };
    expect(runEndProperties(ended({ runId: "r1", cost }))).toEqual({
      runId: "r1",
      status: "SUCCEEDED",
      vcpuSeconds: 17,
      gbSeconds: 34,
      estimatedCostUsd: 0.000233,
    });
    const { usd: _usd, ...unpriced } = cost;
    expect(runEndProperties(ended({ runId: "r2", cost: unpriced }))).not.toHaveProperty("estimatedCostUsd");
    expect(runEndProperties(ended({ runId: "r3", status: "TIMED_OUT" }))).toEqual({
      runId: "r3",
      status: "TIMED_OUT",
    });
  });
});

describe("metricsOnTransitions", () => {
  const collect = () => {
    const sent: { job: string; metrics: readonly MetricDatum[] }[] = [];
    return {
      sent,
      sink: { emit: (job: string, metrics: readonly MetricDatum[]) => sent.push({ job, metrics }) },
    };
  };

  it("counts a created attempt after the first as a retry, and a first attempt as nothing", () => {
    const { sent, sink } = collect();
    const t = metricsOnTransitions(sink);
    t.created(runFixture({ attempt: 1 }));
    t.created(runFixture({ attempt: 3 }));
    expect(sent).toEqual([
      { job: "nightly-report", metrics: [{ name: "Retries", unit: "Count", value: 1 }] },
    ]);
  });

  it("sends an ended run's figures under its job, and nothing for a run with none", () => {
    const { sent, sink } = collect();
    const t = metricsOnTransitions(sink);
    t.ended(ended({ job: "a", status: "MISSED" }));
    t.ended(ended({ job: "b", status: "SKIPPED" }));
    expect(sent).toEqual([{ job: "a", metrics: [{ name: "RunsMissed", unit: "Count", value: 1 }] }]);
  });
});
