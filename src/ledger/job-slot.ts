/**
 * A job's slot (run-store.ts): the item that names the run holding it, for `concurrency: forbid` and
 * `replace` (ledger.ts claimJobSlot, takeJobSlot).
 */
import { isFinal } from "../runs/model.ts";
import { slotKey, TTL_ATTRIBUTE } from "./dynamo-table.ts";
import type { RunLedger } from "./ledger.ts";
import { read } from "./run-revisions.ts";
import { absent, allOf, anyOf, equals, type Item, lessThan, notEquals, type Storage } from "./storage.ts";
import type { StoreContext } from "./store-context.ts";

type JobSlot = Pick<RunLedger, "claimJobSlot" | "takeJobSlot">;

export function jobSlot(ctx: StoreContext): JobSlot {
  const { storage } = ctx;

  /** The job's slot item naming `runId` as its holder until `until`. */
  const slotItem = (job: string, runId: string, until: Date): Item => ({
    pk: slotKey(job),
    holder: runId,
    until: until.toISOString(),
    [TTL_ATTRIBUTE]: ctx.expiry(),
  });

  return {
    async claimJobSlot(job, runId, { now: at, until }) {
      const take = (condition: Parameters<Storage["put"]>[1]) =>
        storage.put(slotItem(job, runId, until), condition);
      let holder = "";
      // Each round either takes the slot or finds who holds it; a lost race (another trigger took it between
      // the read and the write) goes round again.
      for (let attempt = 0; attempt < 5; attempt++) {
        if (await take(anyOf(absent("pk"), equals("holder", runId), lessThan("until", at.toISOString()))))
          return { taken: true as const };
        const slot = await storage.get(slotKey(job));
        holder = String(slot?.holder ?? "");
        const held = holder ? await read(ctx, holder) : undefined;
        if (held && !isFinal(held.run.status)) return { taken: false as const, holder };
        if (await take(allOf(equals("holder", holder), equals("until", String(slot?.until ?? "")))))
          return { taken: true as const };
      }
      return { taken: false as const, holder };
    },

    async takeJobSlot(job, runId, { until }) {
      // One atomic exchange: the write answers with the item it replaced, and writes to one item apply one at a
      // time, so each of N simultaneous triggers gets a distinct predecessor in one call. A read then a write
      // conditional on what was read cost O(N²) calls under contention (~620 for 20 triggers), which on a
      // loaded machine ran a POST past the function's 30 s. The condition only keeps a trigger that holds the
      // slot already (a redelivery) from naming itself its own predecessor.
      const out = await storage.exchange(
        slotItem(job, runId, until),
        anyOf(absent("pk"), notEquals("holder", runId)),
      );
      const previous = out.written ? out.previous?.holder : undefined;
      return typeof previous === "string" && previous !== "" ? { previous } : {};
    },
  };
}
