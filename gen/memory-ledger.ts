/**
 * A RunLedger in memory, with the same semantics as the DynamoDB one (conditional create, stale/duplicate
 * events ignored, alerts claimed once). For the tests, and for the launch benchmark, which measures the
 * launcher without ledger I/O. Imports only the product (src/), never test/ or bench/, so both may import it.
 */

import type { FinishExtra, RunLedger, RunPage } from "../src/ledger/ledger.ts";
import { mergeLaunch } from "../src/ledger/record-launch.ts";
import { foldTaskEvents } from "../src/runs/fold-events.ts";
import type { RunTransitions } from "../src/runs/model.ts";
import { isFinal, type Run } from "../src/runs/model.ts";

const clone = <T>(v: T): T => structuredClone(v);

function page(runs: Run[], options: { limit?: number; next?: string } = {}): RunPage {
  const start = options.next ? Number(options.next) : 0;
  const limit = options.limit ?? 20;
  const slice = runs.slice(start, start + limit);
  return { runs: slice.map(clone), ...(start + limit < runs.length && { next: String(start + limit) }) };
}

const newestFirst = (a: Run, b: Run) =>
  a.createdAt === b.createdAt ? (a.runId < b.runId ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1;

export class MemoryLedger implements RunLedger {
  readonly runs = new Map<string, Run>();
  readonly alerts = new Set<string>();

  private readonly transitions: RunTransitions | undefined;

  constructor(transitions?: RunTransitions) {
    this.transitions = transitions;
  }

  /** Stores the run, telling `transitions` if this change made it final (as the DynamoDB ledger does). */
  private put(before: Run, after: Run): void {
    this.runs.set(after.runId, after);
    if (!isFinal(before.status) && isFinal(after.status)) this.transitions?.ended(clone(after));
  }

  async create(run: Run) {
    const existing = this.runs.get(run.runId);
    if (existing) return { run: clone(existing), created: false };
    this.runs.set(run.runId, clone(run));
    this.transitions?.created(clone(run));
    if (isFinal(run.status)) this.transitions?.ended(clone(run));
    return { run: clone(run), created: true };
  }

  async get(runId: string) {
    const run = this.runs.get(runId);
    return run && clone(run);
  }

  async listByJob(job: string, options?: { limit?: number; next?: string }) {
    return page([...this.runs.values()].filter((r) => r.job === job).sort(newestFirst), options);
  }

  async listRecent(options?: { limit?: number; next?: string }) {
    return page([...this.runs.values()].sort(newestFirst), options);
  }

  async listActive() {
    return [...this.runs.values()].filter((r) => !isFinal(r.status)).map(clone);
  }

  async recordLaunch(runId: string, result: Parameters<RunLedger["recordLaunch"]>[1]) {
    const run = this.must(runId);
    const updated = mergeLaunch(run, result);
    this.put(run, updated);
    return clone(updated);
  }

  async applyTaskEvents(runId: string, details: Parameters<RunLedger["applyTaskEvents"]>[1]) {
    const run = this.runs.get(runId);
    if (!run) return undefined;
    const updated = foldTaskEvents(run, details);
    if (!updated) return { run: clone(run), changed: false, becameFinal: false };
    this.put(run, updated);
    return {
      run: clone(updated),
      changed: true,
      becameFinal: !isFinal(run.status) && isFinal(updated.status),
    };
  }

  async finish(runId: string, status: Run["status"], extra: FinishExtra = {}) {
    const run = this.must(runId);
    if (isFinal(run.status)) return { run: clone(run), changed: false };
    const updated: Run = {
      ...run,
      status,
      ...(extra.hint !== undefined && { hint: extra.hint }),
      ...(extra.cancelledBy !== undefined && { cancelledBy: extra.cancelledBy }),
      failures: [...run.failures, ...(extra.failures ?? [])],
      ...(!run.stoppedAt && { stoppedAt: new Date().toISOString() }),
    };
    this.put(run, updated);
    return { run: clone(updated), changed: true };
  }

  async claimAlert(runId: string, kind: string) {
    const key = `${runId}\n${kind}`;
    if (this.alerts.has(key)) return false;
    this.alerts.add(key);
    return true;
  }

  async releaseAlert(runId: string, kind: string) {
    this.alerts.delete(`${runId}\n${kind}`);
  }

  async claimChannels(runId: string, kind: string, channels: readonly string[]) {
    const got: string[] = [];
    for (const channel of channels)
      if (await this.claimAlert(runId, `${kind}\n${channel}`)) got.push(channel);
    return got;
  }

  async releaseChannel(runId: string, kind: string, channel: string) {
    await this.releaseAlert(runId, `${kind}\n${channel}`);
  }

  readonly slots = new Map<string, { holder: string; until: number }>();

  async claimJobSlot(job: string, runId: string, at: { now: Date; until: Date }) {
    const slot = this.slots.get(job);
    const holderRun = slot && this.runs.get(slot.holder);
    const free =
      !slot ||
      slot.holder === runId ||
      slot.until < at.now.getTime() ||
      !holderRun ||
      isFinal(holderRun.status);
    if (!free) return { taken: false as const, holder: slot.holder };
    this.slots.set(job, { holder: runId, until: at.until.getTime() });
    return { taken: true as const };
  }

  async takeJobSlot(job: string, runId: string, at: { now: Date; until: Date }) {
    const holder = this.slots.get(job)?.holder;
    this.slots.set(job, { holder: runId, until: at.until.getTime() });
    return holder !== undefined && holder !== runId ? { previous: holder } : {};
  }

  private must(runId: string): Run {
    const run = this.runs.get(runId);
    if (!run) throw new Error(`run ${runId} not found`);
    return run;
  }
}
