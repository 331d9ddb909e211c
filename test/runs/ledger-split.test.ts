/**
 * Runs whose tasks are stored in parts of their own (src/ledger/task-parts.ts), against both storage
 * adapters: whatever the order, duplication, batching and concurrency of the task events (and of the
 * launcher's record of its RunTask answers), the run ends where the domain's fold of the events one by one
 * ends — the same tasks, status, times, hint and cost — and exactly one write made it final. The parts are
 * made small here (a run of 3+ tasks split in parts of 2) so that few tasks exercise many parts; the sizes
 * used in production are checked apart, on the item sizes of a 10,000-task run.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryLedger } from "../../gen/memory-ledger.ts";
import { MemoryStorage } from "../../gen/memory-storage.ts";
import { createDynamoLedger } from "../../src/ledger/dynamo.ts";
import type { RunLedger } from "../../src/ledger/ledger.ts";
import { mergeLaunch } from "../../src/ledger/record-launch.ts";
import { decodeRun } from "../../src/ledger/run-codec.ts";
import { createRunStore } from "../../src/ledger/run-store.ts";
import type { Storage } from "../../src/ledger/storage.ts";
import { partOf } from "../../src/ledger/task-parts.ts";
import type { EcsTaskDetail } from "../../src/runs/events.ts";
import { foldTaskEvents } from "../../src/runs/fold-events.ts";
import { isFinal, type Run } from "../../src/runs/model.ts";
import { type Dynalite, startDynalite } from "./dynalite.ts";
import { launchedRun } from "./harness.ts";
import { deliveriesArb, eventsOf, launchedTasks } from "./task-scenarios.ts";

const SMALL_PARTS = { above: 2, size: 2 };

/** Every call passed on to `storage`: a test overrides the calls it watches or holds. */
const forwarding = (storage: Storage): Storage => ({
  get: (pk) => storage.get(pk),
  getMany: (pks) => storage.getMany(pks),
  put: (item, condition) => storage.put(item, condition),
  exchange: (item, condition) => storage.exchange(item, condition),
  update: (pk, change, condition) => storage.update(pk, change, condition),
  query: (index, value, page) => storage.query(index, value, page),
});

/** `storage`, noting the task parts read from it. */
function partReads(storage: Storage) {
  const partsRead = new Set<string>();
  const counted: Storage = {
    ...forwarding(storage),
    get: (pk) => {
      if (pk.startsWith("TASKS#")) partsRead.add(pk);
      return storage.get(pk);
    },
  };
  return { counted, partsRead };
}

/** `n` Fargate tasks of one container that start and exit 0. */
const succeeding = (n: number) =>
  Array.from({ length: n }, () => ({ started: true, launchType: "FARGATE" as const, exitCodes: [0] }));

/** A run of `n` succeeding tasks kept in parts, created in memory: its events, launched tasks, a store. */
async function splitRun(runId: string, n: number, taskParts = SMALL_PARTS) {
  const storage = new MemoryStorage();
  const options = { retentionDays: 1, taskParts };
  const run = launchedRun("report", { runId, expectedTasks: n });
  const events = eventsOf(run, succeeding(n));
  const launcher = createRunStore(storage, options);
  await launcher.create(run);
  return { storage, options, run, events, tasks: launchedTasks(events), launcher };
}

let db: Dynalite;
beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => {
  await db.close();
});

interface Opened {
  instance(): RunLedger;
  /** The largest item written, in bytes, where the adapter can tell. */
  largestItem?: () => number;
}

const ADAPTERS: { name: string; runs: number; open(): Promise<Opened> }[] = [
  {
    name: "in memory",
    runs: 120,
    async open() {
      const storage = new MemoryStorage();
      return {
        instance: () => createMemoryLedger(storage, { taskParts: SMALL_PARTS }),
        largestItem: () => storage.largestItem,
      };
    },
  },
  {
    name: "DynamoDB (dynalite)",
    runs: 15,
    async open() {
      const tableName = await db.table();
      return {
        instance: () =>
          createDynamoLedger(db.newClient(), { tableName, retentionDays: 1, taskParts: SMALL_PARTS }),
      };
    },
  },
];

/** Tasks; which events come twice; the delivery order; batch sizes; instances; whether the launch is recorded. */
const scenarioArb = deliveriesArb({ minLength: 3, maxLength: 7 }, () =>
  fc.record({
    batch: fc.integer({ min: 1, max: 6 }),
    instances: fc.integer({ min: 1, max: 3 }),
    launch: fc.constantFrom("none", "first", "concurrent"),
  }),
);

/** The run with its tasks in ARN order (the parts keep them in their own order); every field compared. */
/** Tasks in one order, and without the end-work mark: the store's, not the fold's (end-work.test.ts). */
const canonical = (r: Run | undefined) => {
  if (!r) return r;
  const { endWork: _mark, ...run } = r;
  return { ...run, tasks: [...r.tasks].sort((a, b) => (a.taskArn < b.taskArn ? -1 : 1)) };
};

describe.each(ADAPTERS)("a run stored in parts: $name", (adapter) => {
  it("property: ends where the events one by one end, made final by exactly one write", async () => {
    const s = await adapter.open();
    let n = 0;
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (sc) => {
        const run = launchedRun("report", { runId: `split-${++n}`, expectedTasks: sc.tasks.length });
        const events = eventsOf(run, sc.tasks);
        const launch = { tasks: launchedTasks(events), failures: [] };
        // The ordered result, by the domain alone: the launch recorded (if it is), then each event.
        let expected = sc.launch === "none" ? run : mergeLaunch(run, launch);
        for (const e of events) expected = foldTaskEvents(expected, [e]) ?? expected;

        const instances = Array.from({ length: sc.instances }, () => s.instance());
        await instances[0]!.create(run);
        if (sc.launch === "first") await instances[0]!.recordLaunch(run.runId, launch);
        const delivered = [...events, ...sc.dups.map((i) => events[i] as EcsTaskDetail)];
        const ordered = sc.order.map((i) => delivered[i] as EcsTaskDetail);
        const batches: EcsTaskDetail[][] = [];
        for (let i = 0; i < ordered.length; i += sc.batch) batches.push(ordered.slice(i, i + sc.batch));
        const [outcomes] = await Promise.all([
          Promise.all(batches.map((b, i) => instances[i % instances.length]!.applyTaskEvents(run.runId, b))),
          sc.launch === "concurrent" ? instances.at(-1)!.recordLaunch(run.runId, launch) : undefined,
        ]);

        const stored = await s.instance().get(run.runId);
        const listed = (await s.instance().listRecent({ limit: 100 })).runs.find(
          (r) => r.runId === run.runId,
        );
        const final = outcomes.find((o) => o?.becameFinal)?.run;
        expect(outcomes.filter((o) => o?.becameFinal)).toHaveLength(isFinal(stored!.status) ? 1 : 0);
        if (sc.launch === "concurrent") {
          // Events that end the run before the launch's record of which containers are essential end it as
          // they say (as for a run in one item): the tasks are the same, the status may differ.
          const states = (r: Run | undefined) =>
            canonical(r)?.tasks.map((t) => [t.taskArn, t.lastStatus, t.version]);
          expect(states(stored)).toEqual(states(expected));
          // What the tasks ran does not depend on the launch's record.
          expect(stored?.ran).toEqual(expected.ran);
          if (final) expect(final.ran).toEqual(expected.ran);
          expect(listed?.status).toBe(stored?.status);
          return;
        }
        expect(canonical(stored)).toEqual(canonical(expected));
        if (final) expect(canonical(final)).toEqual(canonical(expected));
        // Listings read the parts too.
        expect(canonical(listed)).toEqual(canonical(expected));
      }),
      { numRuns: adapter.runs },
    );
  });
});

/**
 * The storage of one instance, whose next put of a run item waits until released: a batch whose write of
 * the run item is late (a slow Lambda, a lost race and its backoff) after it wrote its task's part.
 */
function heldRunWrite(storage: MemoryStorage) {
  let reached!: () => void;
  let release!: () => void;
  const atPut = new Promise<void>((r) => {
    reached = r;
  });
  const released = new Promise<void>((r) => {
    release = r;
  });
  let held = false;
  const gated: Storage = {
    ...forwarding(storage),
    async put(item, condition) {
      if (!held && String(item.pk).startsWith("RUN#")) {
        held = true;
        reached();
        await released;
      }
      return storage.put(item, condition);
    },
  };
  return { storage: gated, atPut, release };
}

describe("a run stored in parts: what its tasks ran", () => {
  // Found by the property above with `ran` compared (seed 784441960, path "575", in memory): the write
  // that ended the run took a part's summary holding another batch's STOPPED task, whose image facts that
  // batch had not written to the run item yet, so the run as it ended (what the failure alert reads for
  // "changed since last success") lacked them. Here the same interleaving, step by step.
  it("the write that ends the run has the image facts of every event in the parts it aggregates", async () => {
    const storage = new MemoryStorage();
    const options = { retentionDays: 1, taskParts: SMALL_PARTS };
    const a = createRunStore(storage, options);
    const late = heldRunWrite(storage);
    const b = createRunStore(late.storage, options);
    const run = launchedRun("report", { runId: "split-late-ran", expectedTasks: 3 });
    // Two Fargate tasks of one task definition, and an EC2 task of another (the sample events' xray:2).
    const events = eventsOf(run, [
      { started: true, launchType: "FARGATE", exitCodes: [0] },
      { started: true, launchType: "FARGATE", exitCodes: [0] },
      { started: true, launchType: "EC2", exitCodes: [0] },
    ]);
    const of = (task: number) =>
      events.filter((e) => e.taskArn === [...new Set(events.map((x) => x.taskArn))][task]);
    const [fargate0, fargate1, ec2] = [of(0), of(1), of(2)];
    const ec2Stopped = ec2.at(-1) as EcsTaskDetail;
    const fargate1Stopped = fargate1.at(-1) as EcsTaskDetail;
    // The late batch's task and the ending batch's task share a part, so the ending write reads that part
    // (no launch is recorded: their events place both in the unplaced parts, by a hash of the ARN).
    expect(partOf(ec2Stopped.taskArn, 2)).toBe(partOf(fargate1Stopped.taskArn, 2));
    expect((ec2Stopped as { taskDefinitionArn?: string }).taskDefinitionArn).toMatch(/xray:2$/);

    await a.create(run);
    await a.applyTaskEvents(run.runId, [...fargate0, ...fargate1.slice(0, -1)]);
    // B writes the EC2 task's STOPPED into its part, then is held before its run item write.
    const lateBatch = b.applyTaskEvents(run.runId, [ec2Stopped]);
    await late.atPut;
    // A's batch stops the last task: its part write reads B's, and its run item write ends the run.
    const ending = await a.applyTaskEvents(run.runId, [fargate1Stopped]);
    late.release();
    await lateBatch;

    expect(ending?.becameFinal).toBe(true);
    let expected: Run = run;
    for (const e of [...fargate0, ...fargate1, ec2Stopped])
      expected = foldTaskEvents(expected, [e]) ?? expected;
    expect(expected.ran?.taskDefinitionArn).toMatch(/xray:2$/);
    expect(ending?.run.ran).toEqual(expected.ran);
    expect((await a.get(run.runId))?.ran).toEqual(expected.ran);
  });
});

describe("a run stored in parts: a launcher's record between batches", () => {
  it("with allTasks: false reads only the parts of its tasks; the last batch's record has every task", async () => {
    const { storage, options, run, tasks, launcher: first } = await splitRun("split-batches", 6);
    const progress = (done: number) => ({ batches: 3, done, leaseUntil: "2026-03-10T11:10:00.000Z" });
    await first.recordLaunch(run.runId, { tasks: tasks.slice(0, 4), failures: [], progress: progress(2) });
    // Another instance (nothing cached) records the next batch: which parts does it read?
    const { counted, partsRead } = partReads(storage);
    const batch = tasks.slice(4);
    const between = await createRunStore(counted, options).recordLaunch(
      run.runId,
      { tasks: batch, failures: [], progress: progress(3) },
      { allTasks: false },
    );
    // Parts fill in launch order: 4 tasks before this batch fill parts 0 and 1, so its tasks go to part 2.
    expect(partsRead).toEqual(new Set([`TASKS#${run.runId}#2`]));
    expect(between.launch?.done).toBe(3);
    expect(between.status).toBe((await first.get(run.runId))?.status);

    // By default (the last batch) the run comes back whole.
    const whole = await createRunStore(storage, options).recordLaunch(run.runId, {
      tasks: batch,
      failures: [],
    });
    expect(whole.tasks.map((t) => t.taskArn).sort()).toEqual(tasks.map((t) => t.taskArn).sort());
  });
});

describe("a run stored in parts: what a launch batch writes", () => {
  it("each batch of 10 writes at most 2 part items (the part filling, and the next at a boundary)", async () => {
    const storage = new MemoryStorage();
    // Parts of 25: batches of 10 cross a part's end every few batches, so both cases are met.
    const options = { retentionDays: 1, taskParts: { above: 25, size: 25 } };
    const run = launchedRun("report", { runId: "split-launch-writes", expectedTasks: 100 });
    const specs = succeeding(100);
    const tasks = launchedTasks(eventsOf(run, specs));
    expect(tasks).toHaveLength(100);
    let partsWritten = new Set<string>();
    const counted: Storage = {
      ...forwarding(storage),
      put: (item, condition) => {
        if (item.pk.startsWith("TASKS#")) partsWritten.add(item.pk);
        return storage.put(item, condition);
      },
    };
    const ledger = createRunStore(counted, options);
    await ledger.create(run);
    const perBatch: number[] = [];
    for (let b = 0; b < 10; b++) {
      partsWritten = new Set();
      await ledger.recordLaunch(
        run.runId,
        { tasks: tasks.slice(b * 10, b * 10 + 10), failures: [] },
        { allTasks: false },
      );
      perBatch.push(partsWritten.size);
    }
    expect(Math.max(...perBatch)).toBeLessThanOrEqual(2);
    expect(perBatch.some((n) => n === 2)).toBe(true);
    const whole = await createRunStore(storage, options).get(run.runId);
    expect(whole?.tasks.map((t) => t.taskArn).sort()).toEqual(tasks.map((t) => t.taskArn).sort());
  });
});

describe("a run stored in parts: a task event before its launch's record", () => {
  it("places the task where its launch then finds it: each task once, in one part, with its events", async () => {
    const { storage, options, run, events, tasks, launcher } = await splitRun("split-early-event", 4);
    await launcher.recordLaunch(run.runId, { tasks: tasks.slice(0, 2), failures: [] }, { allTasks: false });
    // Another instance takes a task of the second batch's first events before the launcher records that
    // batch: the task is placed by its event, and the launch (which cached nothing of it) must find it.
    const early = events.filter((e) => e.taskArn === tasks[2]?.taskArn).slice(0, 1);
    await createRunStore(storage, options).applyTaskEvents(run.runId, early);
    await launcher.recordLaunch(run.runId, { tasks: tasks.slice(2), failures: [] }, { allTasks: false });
    const events2 = events.filter((e) => !early.includes(e));
    await createRunStore(storage, options).applyTaskEvents(run.runId, events2);

    const got = await createRunStore(storage, options).get(run.runId);
    let expected: Run = mergeLaunch(run, { tasks, failures: [] });
    for (const e of events) expected = foldTaskEvents(expected, [e]) ?? expected;
    const arns = (r: Run | undefined) => (r?.tasks ?? []).map((t) => t.taskArn).sort();
    expect(arns(got)).toEqual(arns(expected));
    expect(got?.status).toBe(expected.status);
    expect(got?.status).toBe("SUCCEEDED");
  });
});

describe("a run stored in parts: every task's events before its launch's record", () => {
  // The unplaced parts take only tasks whose first writer was an event, each task once (its placement is
  // put only if absent), spread by a hash of the ARN: together they hold at most the run's tasks, so each
  // about a part's size, as a launch part. Here the worst case: no launch recorded before any event.
  it("a 1,000-task run in parts of 250: no part over 300 tasks or 24 KB; each task once", async () => {
    const quarters = { above: 250, size: 250 };
    const {
      storage,
      options,
      run,
      events,
      tasks,
      launcher: ledger,
    } = await splitRun("split-all-early", 1000, quarters);
    for (let i = 0; i < events.length; i += 100)
      await ledger.applyTaskEvents(run.runId, events.slice(i, i + 100));
    for (let i = 0; i < tasks.length; i += 10)
      await ledger.recordLaunch(
        run.runId,
        { tasks: tasks.slice(i, i + 10), failures: [] },
        { allTasks: false },
      );

    const parts = [...storage.items.values()].filter((item) => item.pk.startsWith("TASKS#"));
    const tasksIn = (pk: string) =>
      decodeRun<{ tasks: unknown[] }>(storage.items.get(pk) as never).tasks.length;
    // Every task is in an unplaced part (numbered 4 to 7), none in a launch part.
    expect(parts.map((p) => p.pk).sort()).toEqual([4, 5, 6, 7].map((n) => `TASKS#${run.runId}#${n}`));
    expect(Math.max(...parts.map((p) => tasksIn(p.pk)))).toBeLessThanOrEqual(300);
    expect(parts.reduce((n, p) => n + tasksIn(p.pk), 0)).toBe(1000);
    expect(storage.largestItem).toBeLessThan(24 * 1024);
    const got = await createRunStore(storage, options).get(run.runId);
    expect(new Set(got?.tasks.map((t) => t.taskArn)).size).toBe(1000);
    expect(got?.tasks).toHaveLength(1000);
    expect(got?.status).toBe("SUCCEEDED");
  });
});

describe("a run stored in parts: a batch of task events that does not end the run", () => {
  it("reads only the parts of its tasks, and answers the run without the other parts' tasks", async () => {
    const { storage, options, run, events, tasks, launcher } = await splitRun("split-events-between", 6);
    await launcher.recordLaunch(run.runId, { tasks, failures: [] });
    // Another instance (nothing cached) takes the first event of the last task: which parts does it read?
    const { counted, partsRead } = partReads(storage);
    const last = tasks.at(-1)?.taskArn;
    const first = events.find((e) => e.taskArn === last) as EcsTaskDetail;
    const out = await createRunStore(counted, options).applyTaskEvents(run.runId, [first]);
    expect(out?.changed).toBe(true);
    expect(isFinal(out?.run.status ?? "SUCCEEDED")).toBe(false);
    // Six tasks in launch order fill parts 0-2 of 2: the last task is in part 2, and only that is read.
    expect(partsRead).toEqual(new Set([`TASKS#${run.runId}#2`]));
    expect(out?.run.tasks).toEqual([]);
    // Read, the run is whole, with the event applied.
    const got = await createRunStore(storage, options).get(run.runId);
    expect(got?.tasks).toHaveLength(6);
    expect(got?.tasks.find((t) => t.taskArn === last)?.lastStatus).toBe(first.lastStatus);
  });
});
