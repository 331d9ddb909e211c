import { PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createStatusHandler } from "../../handlers/status.ts";
import type { Deps } from "../../src/deps.ts";
import { lambdaContext } from "../launch/harness.ts";
import {
  fakeLaunch,
  launchedRun,
  mocks,
  resetMocks,
  runDeps,
  runTaskEvents,
  testJob,
} from "../runs/harness.ts";

beforeEach(resetMocks);
afterEach(() => {
  for (const m of Object.values(mocks)) m.reset();
});

const invoke = (deps: Deps, event: unknown, launch = fakeLaunch()) =>
  createStatusHandler(async () => deps, launch)(event, lambdaContext);

describe("status handler (Lambda)", () => {
  it("applies a task's events to its run and alerts its failure", async () => {
    const deps = runDeps([testJob()]);
    const run = launchedRun("report");
    await deps.ledger.create(run);
    for (const e of runTaskEvents(run, 0, { containers: [{ name: "app", exitCode: 1 }] }))
      await invoke(deps, e);
    expect((await deps.ledger.get(run.runId))?.status).toBe("FAILED");
    expect(mocks.eventbridge).toHaveReceivedCommandTimes(PutEventsCommand, 1);
  });

  it("completes (no Lambda retry) on a malformed or foreign event", async () => {
    const deps = runDeps([testJob()]);
    await expect(invoke(deps, { "detail-type": "ECS Task State Change" })).resolves.toBeUndefined();
    const [foreign] = runTaskEvents(launchedRun("report"), 0, { startedBy: "someone-else" });
    await expect(invoke(deps, foreign)).resolves.toBeUndefined();
  });

  it("fails the invocation when the ledger fails, so Lambda retries the event", async () => {
    const deps = runDeps([testJob()]);
    deps.ledger.applyTaskEvent = async () => {
      throw Object.assign(new Error("Throughput exceeds the current capacity"), {
        name: "ProvisionedThroughputExceededException",
      });
    };
    const [event] = runTaskEvents(launchedRun("report"), 0);
    await expect(invoke(deps, event)).rejects.toThrow(/capacity/);
  });
});
