/**
 * The run ledger in memory: the product's run store (src/ledger/run-store.ts) over the in-memory storage
 * adapter (memory-storage.ts), so tests and the launch benchmark run the same ledger logic as AWS does,
 * without a table. `runs` shows what is stored, for assertions. Imports only the product (src/), never
 * test/ or bench/, so both may import it.
 */
import type { RunLedger } from "../src/ledger/ledger.ts";
import { decodeRun } from "../src/ledger/run-codec.ts";
import { createRunStore, type RunStoreOptions } from "../src/ledger/run-store.ts";
import { partKey, type TaskParts } from "../src/ledger/task-parts.ts";
import type { Run, RunTransitions } from "../src/runs/model.ts";
import { MemoryStorage } from "./memory-storage.ts";

const RUN_ITEM = /^RUN#/;

/** A run store in memory. Several stores on one `storage` are several instances (Lambda containers). */
export function createMemoryLedger(
  storage = new MemoryStorage(),
  options: Partial<RunStoreOptions> = {},
): RunLedger {
  return createRunStore(storage, { retentionDays: 30, ...options });
}

/** A run store in memory that also shows, in `runs`, what it stored (for assertions). */
export class MemoryLedger implements RunLedger {
  readonly storage = new MemoryStorage();
  readonly #ledger: RunLedger;

  constructor(transitions?: RunTransitions) {
    this.#ledger = createMemoryLedger(this.storage, transitions ? { transitions } : {});
  }

  /**
   * The runs stored now, by id (decoded from their items, a run split in parts with their tasks: a fresh
   * copy on each access).
   */
  get runs(): ReadonlyMap<string, Run> {
    const decode = (pk: string) => {
      const item = this.storage.items.get(pk);
      return item && (decodeRun(item as { run?: Run; runz?: Uint8Array }) as Run & { taskParts?: TaskParts });
    };
    const runs = new Map<string, Run>();
    for (const pk of this.storage.items.keys()) {
      if (!RUN_ITEM.test(pk)) continue;
      const { taskParts, ...run } = decode(pk) as Run & { taskParts?: TaskParts };
      const parts = Array.from(
        { length: taskParts?.count ?? 0 },
        (_, n) => decode(partKey(run.runId, n))?.tasks ?? [],
      );
      runs.set(run.runId, taskParts ? { ...run, tasks: parts.flat() } : run);
    }
    return runs;
  }

  create: RunLedger["create"] = (run) => this.#ledger.create(run);
  get: RunLedger["get"] = (runId) => this.#ledger.get(runId);
  listByJob: RunLedger["listByJob"] = (job, o) => this.#ledger.listByJob(job, o);
  listRecent: RunLedger["listRecent"] = (o) => this.#ledger.listRecent(o);
  listActive: RunLedger["listActive"] = () => this.#ledger.listActive();
  recordLaunch: RunLedger["recordLaunch"] = (runId, r, o) => this.#ledger.recordLaunch(runId, r, o);
  applyTaskEvents: RunLedger["applyTaskEvents"] = (runId, d) => this.#ledger.applyTaskEvents(runId, d);
  finish: RunLedger["finish"] = (runId, status, extra) => this.#ledger.finish(runId, status, extra);
  claimAlert: RunLedger["claimAlert"] = (runId, kind) => this.#ledger.claimAlert(runId, kind);
  endWorkDone: RunLedger["endWorkDone"] = (runId) => this.#ledger.endWorkDone(runId);
  stopDone: RunLedger["stopDone"] = (runId) => this.#ledger.stopDone(runId);
  releaseAlert: RunLedger["releaseAlert"] = (runId, kind) => this.#ledger.releaseAlert(runId, kind);
  claimChannels: RunLedger["claimChannels"] = (runId, kind, c) => this.#ledger.claimChannels(runId, kind, c);
  releaseChannel: RunLedger["releaseChannel"] = (runId, kind, c) =>
    this.#ledger.releaseChannel(runId, kind, c);
  claimJobSlot: RunLedger["claimJobSlot"] = (job, runId, at) => this.#ledger.claimJobSlot(job, runId, at);
  takeJobSlot: RunLedger["takeJobSlot"] = (job, runId, at) => this.#ledger.takeJobSlot(job, runId, at);
}
