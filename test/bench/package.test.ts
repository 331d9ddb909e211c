/** Smoke run of the package benchmark (two real `serverless package` runs, ~15 s): no timing asserted. */
import { describe, expect, it } from "vitest";
import { packageBenchmark } from "../../bench/package.ts";

describe("package benchmark (smoke)", () => {
  it("packages generated jobs and the examples, and reports the stack against its quotas", async () => {
    const [row] = await packageBenchmark.run({ quick: true });
    expect(row!.benchmark).toBe("package 5 jobs");
    expect(row!.met).toBe(true);
    expect(row!.measured).toBeGreaterThan(0);
    expect(row!.base).toBeGreaterThan(0);
    expect(row!.notes).toMatch(/^5 jobs: \d+\/500 resources, template \d+ KB/);
  }, 180_000);
});
