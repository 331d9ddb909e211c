/** The status benchmark's event stream: the right count, 10% duplicates, every task's whole life, shuffled. */
import { describe, expect, it } from "vitest";
import { workload } from "../../bench/status.ts";
import type { EcsTaskStateChange } from "../../src/runs/events.ts";

describe("status benchmark workload", () => {
  it("has exactly the events asked for: whole lifecycles of one task per run, plus 10% duplicates", () => {
    const { runs, events } = workload(1000, 7);
    expect(events).toHaveLength(1000);
    const details = (events as EcsTaskStateChange[]).map((e) => e.detail);
    const distinct = new Set(details.map((d) => `${d.taskArn}#${d.version}`));
    expect(distinct.size).toBe(runs.length * 4);
    expect(1000 - distinct.size).toBeGreaterThanOrEqual(95);
    expect(1000 - distinct.size).toBeLessThanOrEqual(100);
    for (const run of runs)
      expect(details.some((d) => d.startedBy?.endsWith(run.runId) && d.lastStatus === "STOPPED")).toBe(true);
  });

  it("is shuffled: some task's STOPPED event comes before its RUNNING event", () => {
    const details = (workload(400, 1).events as EcsTaskStateChange[]).map((d) => d.detail);
    const firstIndex = (arn: string, status: string) =>
      details.findIndex((d) => d.taskArn === arn && d.lastStatus === status);
    const arns = [...new Set(details.map((d) => d.taskArn))];
    expect(arns.some((a) => firstIndex(a, "STOPPED") < firstIndex(a, "RUNNING"))).toBe(true);
  });

  it("is the same for the same seed", () => {
    const ids = (seed: number) =>
      (workload(200, seed).events as EcsTaskStateChange[]).map((e) => `${e.detail.lastStatus}`);
    expect(ids(3)).toEqual(ids(3));
  });
});
