/**
 * How a run is stored (src/ledger/run-codec.ts): compressed above 1 KB of JSON, since DynamoDB bills each
 * rewrite of the item per KB; and items stored before, with zlib's default settings, still read.
 */
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { decodeRun, encodeRun } from "../../src/ledger/run-codec.ts";
import { foldTaskEvents } from "../../src/runs/fold-events.ts";
import { runFixture, taskArnFor, taskLifecycle } from "../support/events.ts";

/** A finished run of `n` tasks as their events make it (containers, billing, times, what ran). */
const withTasks = (n: number) =>
  foldTaskEvents(
    runFixture({ expectedTasks: n, tasks: [] }),
    Array.from({ length: n }, (_, i) =>
      taskLifecycle({ taskArn: taskArnFor(i) }).map((e) => e.detail),
    ).flat(),
  )!;

describe("run item codec", () => {
  it("stores a 1-task run over 1 KB of JSON compressed, under 1 KB, and reads it back", () => {
    const run = withTasks(1);
    expect(JSON.stringify(run).length).toBeGreaterThan(1024);
    const stored = encodeRun(run);
    expect(stored.run).toBeUndefined();
    expect(stored.runz?.byteLength).toBeLessThan(1024);
    expect(decodeRun(stored)).toEqual(run);
  });

  it("keeps a run under 1 KB of JSON inline", () => {
    const run = runFixture({ tasks: [] });
    expect(JSON.stringify(run).length).toBeLessThanOrEqual(1024);
    expect(encodeRun(run)).toEqual({ run });
  });

  it("compresses a 100-task run's repeats well, and reads an item gzipped with zlib's defaults", () => {
    const run = withTasks(100);
    const json = JSON.stringify(run);
    expect(encodeRun(run).runz!.byteLength).toBeLessThan(json.length / 8);
    expect(decodeRun({ runz: gzipSync(json) })).toEqual(run);
  });
});
