/**
 * The claims that send each alert of a run once (run-store.ts): one item per run and kind (dynamo-table.ts),
 * taken by a conditional write. A claim this instance took and did not release is held, so claiming it
 * again is false without a write.
 */
import { randomUUID } from "node:crypto";
import { claimKey, TTL_ATTRIBUTE } from "./dynamo-table.ts";
import type { RunLedger } from "./ledger.ts";
import { absent, anyOf, equals } from "./storage.ts";
import type { StoreContext } from "./store-context.ts";

/** The attribute of an alert's claim item that holds one channel's claim (dynamo-table.ts). */
const channelAttribute = (channel: string) => `channel_${channel}`;

type AlertClaims = Pick<RunLedger, "claimAlert" | "claimChannels" | "releaseChannel" | "releaseAlert">;

export function alertClaims({ storage, heldClaims, now, expiry }: StoreContext): AlertClaims {
  return {
    async claimAlert(runId, kind) {
      const key = claimKey(runId, kind);
      // Only the claimer releases a claim (after its work failed), so one this instance holds is still held.
      if (heldClaims.get(key)) return false;
      const claimed = await storage.put(
        { pk: key, claimedAt: now().toISOString(), [TTL_ATTRIBUTE]: expiry() },
        // A released claim is marked rather than deleted: the functions' role needs no DeleteItem.
        anyOf(absent("pk"), equals("released", true)),
      );
      // Held by another instance: not remembered, as that one may release it for a retry to claim here.
      if (claimed) heldClaims.set(key, true);
      return claimed;
    },

    async claimChannels(runId, kind, channels) {
      const key = claimKey(runId, kind);
      const wanted = channels.filter((c) => !heldClaims.get(`${key}\n${c}`));
      if (wanted.length === 0) return [];
      // Each channel not claimed yet takes this call's token; the channels holding it afterwards are ours.
      // One write for all of them: a failed run's alert on EventBridge and SNS is one write, not two.
      const token = randomUUID();
      const after = await storage.update(
        key,
        {
          setIfAbsent: {
            ...Object.fromEntries(wanted.map((c) => [channelAttribute(c), token])),
            [TTL_ATTRIBUTE]: expiry(),
          },
        },
        // An item of the layout before channels (one item per channel, `claimedAt`) holds them all.
        anyOf(absent("claimedAt"), equals("released", true)),
      );
      const got = wanted.filter((c) => after?.[channelAttribute(c)] === token);
      for (const c of got) heldClaims.set(`${key}\n${c}`, true);
      return got;
    },

    async releaseChannel(runId, kind, channel) {
      const key = claimKey(runId, kind);
      heldClaims.delete(`${key}\n${channel}`);
      await storage.update(key, { remove: [channelAttribute(channel)] });
    },

    async releaseAlert(runId, kind) {
      // Forgotten before the write: if the write fails after taking effect, the next claim still asks.
      heldClaims.delete(claimKey(runId, kind));
      await storage.update(claimKey(runId, kind), { set: { released: true } });
    },
  };
}
