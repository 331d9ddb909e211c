/**
 * Smoke runs of the benchmarks with tiny sizes, so they do not rot. No timing is asserted: only that each
 * benchmark measures what it says (its rows, units, the checks it makes along the way).
 */
import { describe, expect, it } from "vitest";
import { awsCliVersion, cliRunBenchmark } from "../../bench/cli-run.ts";
import { coldStartBenchmark } from "../../bench/cold-start.ts";
import { launchBenchmark } from "../../bench/launch.ts";
import type { Row } from "../../bench/lib.ts";
import { renderTable } from "../../bench/run.ts";
import { statusBenchmark } from "../../bench/status.ts";
import { validateBenchmark } from "../../bench/validate.ts";

const quick = { quick: true };

/** Half a unit in the last decimal place `x` is shown with: how far rounding may have moved it. */
const halfUnit = (x: number): number => 0.5 * 10 ** -(String(x).split(".")[1] ?? "").length;

function expectMeasured(row: Row) {
  expect(row.measured).toBeGreaterThan(0);
  if (row.base !== undefined) {
    expect(row.base).toBeGreaterThan(0);
    // The ratio is of the unrounded figures: on a loaded machine a slow rate is a small whole number (13
    // events/s, rounded from 13.7), so the ratio of the shown figures can be 5% off. It must lie within what
    // the figures' rounding allows (and its own).
    const [m, b, r] = [row.measured, row.base, row.ratio as number];
    const low = (m - halfUnit(m)) / (b + halfUnit(b)) - halfUnit(r);
    const high = (m + halfUnit(m)) / (b - halfUnit(b)) + halfUnit(r);
    expect({ ratio: r, within: r >= low && r <= high }).toEqual({ ratio: r, within: true });
  }
}

describe("benchmarks (smoke, tiny sizes)", () => {
  it("cold start and size: one row of each per handler, sizes with the clients bundled", async () => {
    const rows = await coldStartBenchmark.run(quick);
    const names = ["schedule", "http", "instance-launch", "status", "sweeper"];
    expect(rows.map((r) => r.benchmark)).toEqual([
      ...names.map((n) => `cold start: ${n}`),
      ...names.map((n) => `bundle size: ${n}`),
    ]);
    for (const r of rows) expectMeasured(r);
    for (const r of rows.filter((r) => r.unit === "KB")) {
      expect(r.met).toBe(r.measured <= 500 && !r.notes?.includes("unused clients"));
      if (!r.met) expect(r.notes).toMatch(/largest parts: .*KB/);
    }
  });

  it("launch overhead: schedule handler invocations that really start tasks, against bare RunTask", async () => {
    const rows = await launchBenchmark.run(quick);
    expect(rows.map((r) => r.benchmark)).toEqual(["launch overhead (ledger in memory)"]);
    for (const r of rows) expectMeasured(r);
  });

  it("status throughput: checks every run's final state and counts the DynamoDB calls per event", async () => {
    const [row, batched] = await statusBenchmark.run(quick);
    expectMeasured(row!);
    expectMeasured(batched!);
    expect(batched!.benchmark).toMatch(/SQS batches of 100, as deployed/);
    // A batch writes each run once at most: no more writes per event than one by one.
    const writes = (r: typeof row) => Number(/PutItem ([\d.]+)/.exec(r!.notes ?? "")?.[1]);
    expect(writes(batched)).toBeLessThanOrEqual(writes(row));
    expect(row!.unit).toBe("events/s");
    // At most one write per event (duplicates none), and reads only for runs this ledger has not seen.
    const calls = /GetItem ([\d.]+), PutItem ([\d.]+)/.exec(row!.notes ?? "");
    expect(calls).not.toBeNull();
    expect(Number(calls![1])).toBeLessThan(1);
    expect(Number(calls![2])).toBeGreaterThan(0);
    expect(Number(calls![2])).toBeLessThanOrEqual(1);
    expect(row!.notes).toContain("every run checked SUCCEEDED");
  });

  it("CLI start: ecs-jobs run and aws ecs run-task (the `aws` on PATH) both start a task on the emulator", async () => {
    const [row] = await cliRunBenchmark.run(quick);
    expectMeasured(row!);
    expect(row!.baseline).toMatch(/^aws ecs run-task \(aws-cli\/\d+\.\d+/);
  });

  it("CLI start without any `aws` on PATH: says how to install it instead of a bare ENOENT", () => {
    expect(() => awsCliVersion({ PATH: "/nonexistent" })).toThrow(
      /AWS CLI \(`aws`\) is not on PATH.*apt-get install -y awscli/,
    );
  });

  it("validate: CPU of validate against ajv-cli on the same specs (ajv exits 1 on any invalid one)", async () => {
    const [row] = await validateBenchmark.run(quick);
    expect(row!.benchmark).toBe("validate 5 specs (CPU, user+sys)");
    expect(row!.baseline).toMatch(/^ajv validate/);
    expect(row!.met).toBe(row!.ratio! <= 0.7);
    expectMeasured(row!);
  });

  it("renders one table line per row, marking missed goals", () => {
    const table = renderTable([
      { benchmark: "a", baseline: "b", measured: 2, base: 1, unit: "ms", ratio: 2, goal: "≤ 3×", met: true },
      { benchmark: "c", baseline: "—", measured: 600, unit: "KB", goal: "≤ 500 KB", met: false },
    ]);
    expect(table.trim().split("\n")).toEqual([
      "| benchmark | measured | baseline (same run) | ratio | goal | met |",
      "|---|---|---|---|---|---|",
      "| a | 2 ms | b: 1 ms | 2× | ≤ 3× | yes |",
      "| c | 600 KB | — | — | ≤ 500 KB | **no** |",
    ]);
  });
});
