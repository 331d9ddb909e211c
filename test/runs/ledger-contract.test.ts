/**
 * The run ledger's contract, one suite run against both storage adapters: the DynamoDB one on dynalite and
 * the in-memory one (gen/memory-storage.ts), each under the same run store (src/ledger/run-store.ts). An
 * "instance" is a run store with its own cache (and, on dynalite, its own client), as a Lambda container
 * has: several instances on one storage race as parallel Lambdas do. Expected runs are computed by the
 * domain's fold (src/runs/fold-events.ts) applied one event at a time, never by a ledger.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryLedger } from "../../gen/memory-ledger.ts";
import { MemoryStorage } from "../../gen/memory-storage.ts";
import { seededRandom } from "../../local/ecs/faults.ts";
import { NotFoundError, ValidationError } from "../../src/errors.ts";
import { createDynamoLedger } from "../../src/ledger/dynamo.ts";
import type { RunLedger } from "../../src/ledger/ledger.ts";
import type { PartSizes } from "../../src/ledger/task-parts.ts";
import type { EcsTaskDetail } from "../../src/runs/events.ts";
import { foldTaskEvents } from "../../src/runs/fold-events.ts";
import type { Run } from "../../src/runs/model.ts";
import { runFixture, shuffled, taskArnFor, taskLifecycle } from "../support/events.ts";
import { type Dynalite, startDynalite } from "./dynalite.ts";

const NOW = new Date("2026-03-10T12:00:00.000Z");

/** A storage opened fresh for a test, and instances of the run store on it. */
interface Opened {
  instance(): RunLedger;
}

interface Adapter {
  name: string;
  /** `taskParts`: which runs keep their tasks in parts (src/ledger/task-parts.ts); small in the split cases. */
  open(o?: { taskParts?: PartSizes }): Promise<Opened>;
}

let db: Dynalite;

const ADAPTERS: Adapter[] = [
  {
    name: "in memory",
    async open(o = {}) {
      const storage = new MemoryStorage();
      return { instance: () => createMemoryLedger(storage, { retentionDays: 30, now: () => NOW, ...o }) };
    },
  },
  {
    name: "DynamoDB (dynalite)",
    async open(o = {}) {
      const tableName = await db.table();
      return {
        instance: () =>
          createDynamoLedger(db.newClient(), { tableName, retentionDays: 30, now: () => NOW, ...o }),
      };
    },
  },
];

beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => {
  await db.close();
});

const run = (i: number, o: Partial<Run> = {}): Run =>
  runFixture({
    runId: `run-${String(i).padStart(3, "0")}`,
    createdAt: new Date(Date.parse("2026-03-01T00:00:00Z") + i * 60_000).toISOString(),
    ...o,
  });

/** Tasks in one order, and without the end-work mark: the store's, not the fold's (end-work.test.ts). */
const canonical = (r: Run | undefined) => {
  if (!r) return r;
  const { endWork: _mark, ...run } = r;
  return { ...run, tasks: [...r.tasks].sort((a, b) => (a.taskArn < b.taskArn ? -1 : 1)) };
};

/** The run after these events one by one, by the domain's fold alone. */
const folded = (r: Run, details: readonly EcsTaskDetail[]): Run =>
  details.reduce((current, d) => foldTaskEvents(current, [d]) ?? current, r);

const shuffle = <T>(items: readonly T[], seed: number): T[] => shuffled(items, seededRandom(seed));

const at = (minutes = 0) => ({
  now: new Date(NOW.getTime() + minutes * 60_000),
  until: new Date(NOW.getTime() + (minutes + 60) * 60_000),
});

describe.each(ADAPTERS)("run ledger contract: $name", (adapter) => {
  it("creates a run once: a second create, even concurrent from several instances, gets the stored run", async () => {
    const s = await adapter.open();
    const first = run(1);
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => s.instance().create({ ...first, notes: [`try ${i}`] })),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const stored = await s.instance().get(first.runId);
    for (const r of results) expect(r.run).toEqual(stored);
    expect(await s.instance().get("nope")).toBeUndefined();
  });

  it("reaches the ordered result from shuffled, duplicated, concurrent task events", async () => {
    for (const seed of [1, 2, 3]) {
      const s = await adapter.open();
      const [a, b] = [s.instance(), s.instance()];
      const r = run(seed, { expectedTasks: 3 });
      await a.create(r);
      const events = [0, 1, 2].flatMap((t) =>
        taskLifecycle({
          taskArn: taskArnFor(`${seed}/${t}`),
          ...(t === 1 && { containers: [{ name: "app", exitCode: 2 }] }),
        }).map((e) => e.detail),
      );
      const outcomes = await Promise.all(
        shuffle([...events, ...events], seed).map((d, i) => (i % 2 ? a : b).applyTaskEvents(r.runId, [d])),
      );
      // Tasks are listed in the order their first event arrived; everything else is the same.
      expect(canonical(await a.get(r.runId))).toEqual(canonical(folded(r, events)));
      expect((await b.get(r.runId))?.status).toBe("FAILED");
      expect(outcomes.filter((o) => o?.becameFinal)).toHaveLength(1);
    }
  });

  it("a run stored in parts: the ordered result from shuffled, duplicated, concurrent events and launch records; listed whole", async () => {
    for (const seed of [1, 2, 3]) {
      const s = await adapter.open({ taskParts: { above: 2, size: 2 } });
      const [a, b, c] = [s.instance(), s.instance(), s.instance()];
      const r = run(seed, { expectedTasks: 5 });
      await a.create(r);
      const arns = [0, 1, 2, 3, 4].map((t) => taskArnFor(`split-${seed}/${t}`));
      const events = arns.flatMap((taskArn, t) =>
        taskLifecycle({ taskArn, ...(t === 3 && { containers: [{ name: "app", exitCode: 2 }] }) }).map(
          (e) => e.detail,
        ),
      );
      const launched = arns.map((taskArn) => ({ taskArn, lastStatus: "PROVISIONING", containers: [] }));
      const [outcomes] = await Promise.all([
        Promise.all(
          shuffle([...events, ...events], seed).map((d, i) => (i % 2 ? a : b).applyTaskEvents(r.runId, [d])),
        ),
        // The launcher's records (batches of 2, one twice) race the events, on an instance of its own.
        (async () => {
          for (const batch of [
            launched.slice(0, 2),
            launched.slice(2, 4),
            launched.slice(2, 4),
            launched.slice(4),
          ])
            await c.recordLaunch(r.runId, { tasks: batch, failures: [] }, { allTasks: false });
        })(),
      ]);
      const expected = folded(r, events);
      const stored = await a.get(r.runId);
      const states = (x: Run | undefined) =>
        canonical(x)?.tasks.map((t) => [t.taskArn, t.lastStatus, t.version]);
      expect(states(stored)).toEqual(states(expected));
      expect(stored?.status).toBe("FAILED");
      expect(outcomes.filter((o) => o?.becameFinal)).toHaveLength(1);
      const listed = (await b.listByJob(r.job, { limit: 5 })).runs.find((x) => x.runId === r.runId);
      expect(states(listed)).toEqual(states(expected));
    }
  });

  it("lists a job's runs newest first, page by page, and all runs across jobs", async () => {
    const l = (await adapter.open()).instance();
    for (const i of shuffle([...Array(30).keys()], 7))
      await l.create(run(i, { job: i % 6 === 0 ? "other" : "nightly-report" }));
    const expected = [...Array(30).keys()]
      .filter((i) => i % 6 !== 0)
      .reverse()
      .map((i) => `run-${String(i).padStart(3, "0")}`);
    const seen: string[] = [];
    let next: string | undefined;
    do {
      const page = await l.listByJob("nightly-report", { limit: 7, ...(next && { next }) });
      expect(page.runs.length).toBeLessThanOrEqual(7);
      seen.push(...page.runs.map((x) => x.runId));
      next = page.next;
    } while (next);
    expect(seen).toEqual(expected);
    const recent = await l.listRecent({ limit: 5 });
    expect(recent.runs.map((x) => x.runId)).toEqual(["run-029", "run-028", "run-027", "run-026", "run-025"]);
    await expect(l.listByJob("nightly-report", { next: "not-a-token" })).rejects.toThrow(ValidationError);
  });

  it("lists the active runs only, and drops a run from them once it is final and its end-work done", async () => {
    const l = (await adapter.open()).instance();
    await l.create(run(1));
    await l.create(run(2, { status: "RUNNING" }));
    await l.create(run(3, { status: "SUCCEEDED" }));
    // A failure created final: its end-work (alert, retry, pause) pending until done.
    await l.create(run(4, { status: "MISSED" }));
    expect((await l.listActive()).map((r) => r.runId).sort()).toEqual(["run-001", "run-002", "run-004"]);
    await l.endWorkDone("run-004");
    expect((await l.listActive()).map((r) => r.runId).sort()).toEqual(["run-001", "run-002"]);
    const { run: ended, changed } = await l.finish("run-002", "TIMED_OUT", { hint: "too long" });
    expect(changed).toBe(true);
    expect(ended).toMatchObject({ status: "TIMED_OUT", hint: "too long", stoppedAt: NOW.toISOString() });
    // TIMED_OUT owes StopTask too (end-work.ts): listed until both marks are gone, whichever goes first.
    const marks = async () =>
      (await l.listActive()).map((r) => `${r.runId} ${r.status} ${r.endWork} ${r.stopOwed}`).sort();
    expect(await marks()).toEqual([
      "run-001 PENDING undefined undefined",
      "run-002 TIMED_OUT pending pending",
    ]);
    await l.endWorkDone("run-002");
    expect(await marks()).toEqual([
      "run-001 PENDING undefined undefined",
      "run-002 TIMED_OUT undefined pending",
    ]);
    await l.stopDone("run-002");
    expect((await l.listActive()).map((r) => r.runId)).toEqual(["run-001"]);
    expect((await l.finish("run-002", "FAILED")).changed).toBe(false);
    await expect(l.finish("run-999", "FAILED")).rejects.toThrow(NotFoundError);
  });

  it("keeps TIMED_OUT when the stopped task's events arrive after finish", async () => {
    const l = (await adapter.open()).instance();
    const r = run(1);
    await l.create(r);
    const events = taskLifecycle({ taskArn: taskArnFor("t"), containers: [{ name: "app", exitCode: 143 }] });
    for (const e of events.slice(0, -1)) await l.applyTaskEvents(r.runId, [e.detail]);
    await l.finish(r.runId, "TIMED_OUT");
    const after = await l.applyTaskEvents(r.runId, [events[events.length - 1]!.detail]);
    expect(after).toMatchObject({ changed: true, becameFinal: false, run: { status: "TIMED_OUT" } });
    expect(await l.applyTaskEvents("missing", [events[0]!.detail])).toBeUndefined();
  });

  it("records launches once per task ARN, keeping essential flags when an event came first", async () => {
    const l = (await adapter.open()).instance();
    const r = run(1);
    await l.create(r);
    const arn = taskArnFor("first");
    const [provisioning] = taskLifecycle({
      taskArn: arn,
      containers: [{ name: "app" }, { name: "sidecar" }],
    });
    await l.applyTaskEvents(r.runId, [provisioning!.detail]);
    const launched = {
      tasks: [
        {
          taskArn: arn,
          lastStatus: "PROVISIONING",
          containers: [
            { name: "app", essential: true },
            { name: "sidecar", essential: false },
          ],
        },
        { taskArn: taskArnFor("second"), lastStatus: "PROVISIONING", containers: [] },
      ],
      failures: [{ reason: "RESOURCE:MEMORY" }],
    };
    const once = await l.recordLaunch(r.runId, launched);
    expect(once.tasks.map((t) => t.taskArn)).toEqual([arn, taskArnFor("second")]);
    expect(once.tasks[0]?.containers.map((c) => [c.name, c.essential])).toEqual([
      ["app", true],
      ["sidecar", false],
    ]);
    expect(once.tasks[0]?.version).toBe(provisioning?.detail.version);
    const twice = await l.recordLaunch(r.runId, { tasks: launched.tasks, failures: [] });
    expect(twice.tasks).toEqual(once.tasks);
    await expect(l.recordLaunch("missing", launched)).rejects.toThrow(NotFoundError);
  });

  it("stores a run of 1,000 tasks that failed to start (over 400 KB as JSON), and still takes events", async () => {
    const REASON =
      "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 123456789012.dkr.ecr.eu-west-1.amazonaws.com/thumbnails:21: not found";
    const l = (await adapter.open()).instance();
    const big = run(900, { expectedTasks: 1000, tasks: [] });
    await l.create(big);
    const stops = Array.from(
      { length: 1000 },
      (_, i) =>
        taskLifecycle({
          taskArn: taskArnFor(`fanout-${i}`),
          stopCode: "TaskFailedToStart",
          stoppedReason: REASON,
          containers: [{ name: "app", reason: REASON }],
        }).at(-1)!.detail,
    );
    for (let i = 0; i < stops.length; i += 100) await l.applyTaskEvents(big.runId, stops.slice(i, i + 100));
    const stored = await l.get(big.runId);
    expect(stored?.status).toBe("FAILED");
    expect(stored?.tasks).toHaveLength(1000);
    expect(JSON.stringify(stored).length).toBeGreaterThan(400 * 1024);
    const listed = await l.listByJob(big.job, { limit: 5 });
    expect(listed.runs.find((r) => r.runId === big.runId)?.tasks).toHaveLength(1000);
  });

  it("claims an alert once under concurrency, and again after a release", async () => {
    const l = (await adapter.open()).instance();
    const claims = await Promise.all(Array.from({ length: 12 }, () => l.claimAlert("run-001", "FAILED")));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await l.claimAlert("run-001", "FAILED:sns")).toBe(true);
    expect(await l.claimAlert("run-002", "FAILED")).toBe(true);
    await l.releaseAlert("run-001", "FAILED");
    expect(await l.claimAlert("run-001", "FAILED")).toBe(true);
    expect(await l.claimAlert("run-001", "FAILED")).toBe(false);
  });

  it("an alert claimed whole (claimAlert) holds every channel of it", async () => {
    const s = await adapter.open();
    expect(await s.instance().claimAlert("run-001", "FAILED")).toBe(true);
    expect(await s.instance().claimChannels("run-001", "FAILED", ["eventbridge", "sns"])).toEqual([]);
  });

  it("property: of concurrent claims from several instances one wins each round; a release opens a round", async () => {
    const s = await adapter.open();
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.record({ callers: fc.integer({ min: 1, max: 8 }), release: fc.boolean() }), {
          minLength: 1,
          maxLength: 4,
        }),
        async (instanceCount, rounds) => {
          const instances = Array.from({ length: instanceCount }, () => s.instance());
          const runId = `claim-${++runs}`;
          let free = true;
          for (const round of rounds) {
            const claims = await Promise.all(
              Array.from({ length: round.callers }, (_, i) =>
                instances[i % instances.length]!.claimAlert(runId, "FAILED").then((won) => ({ won, i })),
              ),
            );
            const winners = claims.filter((c) => c.won);
            expect(winners).toHaveLength(free ? 1 : 0);
            if (winners.length === 1) free = false;
            if (round.release && winners[0]) {
              // Only the claimer releases (its work failed): it is the one that won.
              await instances[winners[0].i % instances.length]!.releaseAlert(runId, "FAILED");
              free = true;
            }
          }
        },
      ),
      { numRuns: adapter.name === "in memory" ? 100 : 15 },
    );
  });

  it("property: each channel of an alert goes to exactly one of concurrent claimers, and a released one again", async () => {
    const s = await adapter.open();
    const CHANNELS = ["eventbridge", "sns", "webhook"];
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.subarray(CHANNELS, { minLength: 1 }), { minLength: 1, maxLength: 6 }),
        fc.constantFrom(...CHANNELS),
        async (wants, released) => {
          const runId = `channels-${++runs}`;
          const claimers = wants.map((w) => ({ ledger: s.instance(), w }));
          const got = await Promise.all(claimers.map((c) => c.ledger.claimChannels(runId, "FAILED", c.w)));
          expect(got.flat().sort()).toEqual([...new Set(wants.flat())].sort());
          const holder = claimers.find((_, i) => got[i]?.includes(released));
          if (!holder) return;
          await holder.ledger.releaseChannel(runId, "FAILED", released);
          const again = await Promise.all(claimers.map((c) => c.ledger.claimChannels(runId, "FAILED", c.w)));
          expect(again.flat()).toEqual([released]);
        },
      ),
      { numRuns: adapter.name === "in memory" ? 100 : 15 },
    );
  });

  it("property: the job slot goes to exactly one of simultaneous runs, and is free once its holder is final", async () => {
    const s = await adapter.open();
    let jobs = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 8 }), fc.boolean(), async (n, redeliver) => {
        const job = `slot-${++jobs}`;
        const runs = Array.from({ length: n }, (_, i) => run(500 + i, { job, runId: `${job}-run-${i}` }));
        const instances = runs.map(() => s.instance());
        for (const r of runs) await instances[0]!.create(r);
        const results = await Promise.all(runs.map((r, i) => instances[i]!.claimJobSlot(job, r.runId, at())));
        const winners = runs.filter((_, i) => results[i]?.taken);
        expect(winners).toHaveLength(1);
        const holder = winners[0]!.runId;
        for (const r of results) if (!r.taken) expect(r.holder).toBe(holder);
        if (redeliver)
          expect(await instances[1 % n]!.claimJobSlot(job, holder, at())).toEqual({ taken: true });
        await instances[0]!.finish(holder, "SUCCEEDED");
        const next = runs.find((r) => r.runId !== holder);
        if (next) expect(await instances[0]!.claimJobSlot(job, next.runId, at(1))).toEqual({ taken: true });
      }),
      { numRuns: adapter.name === "in memory" ? 100 : 10 },
    );
  });

  it("the job slot lapses after its time when its holder never ends", async () => {
    const l = (await adapter.open()).instance();
    const [b, c] = [run(601, { job: "slot-b" }), run(602, { job: "slot-b" })];
    for (const r of [b, c]) await l.create(r);
    expect(await l.claimJobSlot("slot-b", b.runId, at())).toEqual({ taken: true });
    expect(await l.claimJobSlot("slot-b", c.runId, at(30))).toEqual({ taken: false, holder: b.runId });
    expect(await l.claimJobSlot("slot-b", c.runId, at(61))).toEqual({ taken: true });
  });

  it("property: of simultaneous takeovers (replace) each replaces exactly one other, so one holder is left", async () => {
    const s = await adapter.open();
    let jobs = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 12 }), fc.boolean(), async (n, heldBefore) => {
        const job = `take-${++jobs}`;
        const ids = Array.from({ length: n }, (_, i) => `${job}-run-${i}`);
        const first = s.instance();
        // Runs that are not final: a slot they hold is held (claimJobSlot below asks who holds it).
        for (const id of [...ids, "earlier"]) await first.create(run(0, { job, runId: id }));
        if (heldBefore) await first.takeJobSlot(job, "earlier", at());
        const results = await Promise.all(ids.map((id) => s.instance().takeJobSlot(job, id, at())));
        const previous = results.map((r) => r.previous).filter((p): p is string => p !== undefined);
        // A chain: every run replaced one distinct predecessor (the first took a free slot or "earlier").
        expect(new Set(previous).size).toBe(previous.length);
        expect(previous.length).toBe(heldBefore ? n : n - 1);
        const last = ids.filter((id) => !previous.includes(id));
        expect(last).toHaveLength(1);
        expect(await first.claimJobSlot(job, "someone-else", at())).toMatchObject({ holder: last[0] });
        expect(await first.takeJobSlot(job, last[0]!, at())).toEqual({});
      }),
      { numRuns: adapter.name === "in memory" ? 100 : 10 },
    );
  });
});
