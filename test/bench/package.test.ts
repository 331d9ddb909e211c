/**
 * Smoke run of the package benchmark: one real `serverless package` of 5 generated jobs (~7 s), against the
 * example jobs' package the test run shares (test/deploy/package-setup.ts). No timing asserted.
 */
import { describe, expect, it } from "vitest";
import { packageBenchmark } from "../../bench/package.ts";
import { examplePackage } from "../deploy/shared-package.ts";

describe("package benchmark (smoke)", () => {
  it("packages generated jobs and the examples, and reports the stack against its quotas", async () => {
    const examples = await examplePackage();
    const [row] = await packageBenchmark.run({ quick: true, examples });
    expect(row!.benchmark).toBe("package 5 jobs");
    expect(row!.met).toBe(true);
    expect(row!.measured).toBeGreaterThan(0);
    expect(row!.base).toBe(examples.ms);
    expect(row!.notes).toMatch(/^5 jobs: \d+\/500 resources, template \d+ KB/);
  }, 600_000);
});
