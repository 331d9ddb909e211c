/**
 * An alert's channels claimed in one write (src/ledger/alert-claims.ts claimChannels) against dynalite: each
 * channel goes to exactly one claimer however many instances race, a released channel is claimable again
 * alone, and a claim item of the layout before channels (one item per channel) still holds its alert.
 */
import { describe, expect, it } from "vitest";
import { ledgerInstances } from "./dynalite.ts";

let runs = 0;
/** A ledger with its own client and claim cache, as a Lambda container has. */
const instance = ledgerInstances();

const freshRunId = () => `run-channels-${++runs}`;

describe("alert channel claims in one write", () => {
  it("gives each channel to exactly one of many concurrent instances, one UpdateItem each", async () => {
    const runId = freshRunId();
    const instances = Array.from({ length: 8 }, () => instance());
    const got = await Promise.all(
      instances.map((i) => i.ledger.claimChannels(runId, "FAILED", ["eventbridge", "sns"])),
    );
    expect(got.flat().sort()).toEqual(["eventbridge", "sns"]);
    for (const i of instances) expect([i.counts.get("UpdateItem"), i.counts.total()]).toEqual([1, 1]);
  });

  it("claims again only the channel released after a failed send", async () => {
    const runId = freshRunId();
    const a = instance();
    const b = instance();
    expect(await a.ledger.claimChannels(runId, "FAILED", ["eventbridge", "sns", "webhook"])).toEqual([
      "eventbridge",
      "sns",
      "webhook",
    ]);
    await a.ledger.releaseChannel?.(runId, "FAILED", "sns");
    expect(await b.ledger.claimChannels(runId, "FAILED", ["eventbridge", "sns", "webhook"])).toEqual(["sns"]);
    expect(await a.ledger.claimChannels(runId, "FAILED", ["eventbridge", "sns", "webhook"])).toEqual([]);
    // Other kinds of the same run are claims of their own.
    expect(await a.ledger.claimChannels(runId, "TIMED_OUT", ["eventbridge"])).toEqual(["eventbridge"]);
  });

  it("a channel this instance holds costs no write to claim again", async () => {
    const runId = freshRunId();
    const a = instance();
    await a.ledger.claimChannels(runId, "FAILED", ["eventbridge"]);
    a.counts.reset();
    expect(await a.ledger.claimChannels(runId, "FAILED", ["eventbridge"])).toEqual([]);
    expect(a.counts.total()).toBe(0);
  });

  it("an alert claimed in the layout before channels (an item with claimedAt) is held for every channel", async () => {
    const runId = freshRunId();
    const old = instance();
    expect(await old.ledger.claimAlert(runId, "FAILED")).toBe(true);
    expect(await instance().ledger.claimChannels(runId, "FAILED", ["eventbridge", "sns"])).toEqual([]);
  });
});
