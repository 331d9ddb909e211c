/**
 * What a 1-task run costs in DynamoDB writes, counted on the real handlers on the local stack (the cost
 * benchmark's runCost: schedule and status handlers, ECS emulator, dynalite, AWS stand-in), against issue
 * 18's goal — no more writes than the do-it-yourself set-up's 8 (one per task event). The counts are the
 * writes the design makes, worked out by hand:
 * - succeeded: the run before RunTask, the launch recorded after it, then the task's PENDING, RUNNING and
 *   STOPPED events (PROVISIONING, ACTIVATING, DEACTIVATING, STOPPING and DEPROVISIONING are not written:
 *   src/runs/fold-events.ts) = 5, each under 1 KB as stored (src/ledger/run-codec.ts): 5 WCU;
 * - failed with an alert on EventBridge and SNS: those 5, the run-end claim (DONE), one claim write for
 *   both channels (src/ledger/alert-claims.ts claimChannels) and the removal of the run's end-work mark once
 *   the alert went out (src/ledger/end-work.ts: the mark itself rides on the STOPPED event's write) = 8;
 *   each channel sent once.
 */
import { describe, expect, it } from "vitest";
import { runCost } from "../../bench/cost/run.ts";

describe("DynamoDB writes of a 1-task run through the real handlers", () => {
  it("a successful run: 5 writes of 1 WCU, for the task's 8 events", async () => {
    const cost = await runCost({ name: "writes-one", count: 1, outcome: "succeed", alerts: false });
    expect(cost).toMatchObject({ status: "SUCCEEDED", events: 8, writes: 5, wcu: 5 });
    expect(cost.writes).toBeLessThanOrEqual(8);
  });

  it("a failed run alerting on EventBridge and SNS: 8 writes, each channel sent once", async () => {
    const cost = await runCost({ name: "writes-fail", count: 1, outcome: "exit:1", alerts: true });
    expect(cost).toMatchObject({ status: "FAILED", events: 8, writes: 8, alerts: 2 });
    expect(cost.calls.get("EventBridge.PutEvents")).toBe(1);
    expect(cost.calls.get("SNS.Publish")).toBe(1);
    expect(cost.writes).toBeLessThanOrEqual(8);
  });
});
