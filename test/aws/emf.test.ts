import type { Metrics } from "@aws-lambda-powertools/metrics";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { emfMetricSink } from "../../src/metrics/emf.ts";

/** What reached stdout during `fn`, line by line. */
function stdoutLines(fn: () => void): string[] {
  const written: string[] = [];
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    fn();
  } finally {
    spy.mockRestore();
  }
  return written.join("").split("\n").filter(Boolean);
}

describe("run metrics as CloudWatch Embedded Metric Format", () => {
  // Powertools prints to the global console only in POWERTOOLS_DEV; pin the Lambda behaviour.
  beforeEach(() => {
    vi.stubEnv("POWERTOOLS_DEV", "false");
    vi.stubEnv("POWERTOOLS_METRICS_DISABLED", "false");
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("writes one EMF line per run on stdout: namespace ecs-jobs, the Job dimension alone", () => {
    const warn = vi.fn();
    const sink = emfMetricSink({ warn });
    const lines = stdoutLines(() => {
      sink.emit(
        "nightly-report",
        [
          { name: "RunsFailed", unit: "Count", value: 1 },
          { name: "RunDuration", unit: "Seconds", value: 62 },
        ],
        { runId: "r1", estimatedCostUsd: 0.000233 },
      );
      sink.emit("other", [{ name: "Retries", unit: "Count", value: 1 }]);
    });
    expect(lines).toHaveLength(2);
    const [first, second] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(first).toMatchObject({
      _aws: {
        Timestamp: expect.any(Number),
        CloudWatchMetrics: [
          {
            Namespace: "ecs-jobs",
            Dimensions: [["Job"]],
            Metrics: [
              { Name: "RunsFailed", Unit: "Count" },
              { Name: "RunDuration", Unit: "Seconds" },
            ],
          },
        ],
      },
      Job: "nightly-report",
      RunsFailed: 1,
      RunDuration: 62,
      // Properties, not metrics: the cost stays a number for Logs Insights to sum.
      runId: "r1",
      estimatedCostUsd: 0.000233,
    });
    expect(first).not.toHaveProperty("service");
    // Each line has its own job: the dimension of one run does not leak into the next.
    expect(second).toMatchObject({ Job: "other", Retries: 1 });
    expect(second).not.toHaveProperty("RunsFailed");
    expect(second).not.toHaveProperty("runId");
    expect(warn).not.toHaveBeenCalled();
  });

  it("a figure that cannot be written is logged, not thrown: the run's write is already done", () => {
    const warn = vi.fn();
    const failing = {
      clearDefaultDimensions: () => {},
      addDimension: () => {
        throw new RangeError("too many dimensions");
      },
      clearMetrics: () => {},
      clearDimensions: () => {},
      clearMetadata: () => {},
    } as unknown as Metrics;
    const sink = emfMetricSink({ warn }, failing);
    expect(() => sink.emit("report", [{ name: "RunsFailed", unit: "Count", value: 1 }])).not.toThrow();
    expect(warn).toHaveBeenCalledWith("run metrics not emitted", {
      job: "report",
      figures: ["RunsFailed=1 Count"],
      error: "too many dimensions",
    });
  });

  it("figures stored before a refusal are dropped and named, not written on the next run's line", () => {
    const warn = vi.fn();
    const sink = emfMetricSink({ warn });
    const lines = stdoutLines(() => {
      // Powertools stores RunsFailed, then refuses the unit of the second figure before publishing.
      sink.emit(
        "nightly-report",
        [
          { name: "RunsFailed", unit: "Count", value: 1 },
          { name: "RunDuration", unit: "Minutes" as "Seconds", value: 3 },
        ],
        { runId: "r1" },
      );
      sink.emit("other", [{ name: "Retries", unit: "Count", value: 1 }], { runId: "r2" });
    });
    expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual([
      {
        _aws: {
          Timestamp: expect.any(Number),
          CloudWatchMetrics: [
            { Namespace: "ecs-jobs", Dimensions: [["Job"]], Metrics: [{ Name: "Retries", Unit: "Count" }] },
          ],
        },
        Job: "other",
        Retries: 1,
        runId: "r2",
      },
    ]);
    expect(warn.mock.calls).toEqual([
      [
        "run metrics not emitted",
        {
          job: "nightly-report",
          runId: "r1",
          figures: ["RunsFailed=1 Count", "RunDuration=3 Minutes"],
          error: expect.stringMatching(/^Invalid metric unit/),
        },
      ],
    ]);
  });

  it("a line whose write throws is lost alone: the next line carries only its own figures", () => {
    const warn = vi.fn();
    const sink = emfMetricSink({ warn });
    const written: string[] = [];
    const spy = vi
      .spyOn(process.stdout, "write")
      .mockImplementationOnce(() => {
        throw new Error("EPIPE");
      })
      .mockImplementation((chunk: string | Uint8Array) => {
        written.push(String(chunk));
        return true;
      });
    try {
      sink.emit("nightly-report", [{ name: "RunsFailed", unit: "Count", value: 1 }], { runId: "r1" });
      sink.emit("other", [{ name: "Retries", unit: "Count", value: 1 }]);
    } finally {
      spy.mockRestore();
    }
    const lines = written.join("").split("\n").filter(Boolean);
    expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ Job: "other", Retries: 1 }),
    ]);
    expect(lines[0]).not.toMatch(/RunsFailed|r1/);
    // Powertools writes through a Node Console, which swallows write errors (ignoreErrors): the failed line
    // is lost without a word, and its figures do not come back on the next line.
  });

  it("a figure that is not a finite number is dropped alone: the run's count still goes out", () => {
    const warn = vi.fn();
    const sink = emfMetricSink({ warn });
    const lines = stdoutLines(() =>
      sink.emit("report", [
        { name: "RunsSucceeded", unit: "Count", value: 1 },
        { name: "RunDuration", unit: "Seconds", value: Number.NaN },
      ]),
    );
    const [line] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(1);
    expect(line).toMatchObject({ Job: "report", RunsSucceeded: 1 });
    expect(line).not.toHaveProperty("RunDuration");
    expect(warn).toHaveBeenCalledWith("run metrics dropped: not a finite number", {
      job: "report",
      figures: ["RunDuration=NaN Seconds"],
    });
  });
});
