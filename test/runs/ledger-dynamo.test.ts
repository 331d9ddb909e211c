import { DeleteCommand, DynamoDBDocumentClient, GetCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryLedger } from "../../gen/memory-ledger.ts";
import { seededRandom } from "../../local/ecs/faults.ts";
import { NotFoundError, ValidationError } from "../../src/errors.ts";
import { createDynamoLedger } from "../../src/ledger/dynamo.ts";
import type { Run } from "../../src/runs/model.ts";
import { runFixture, shuffled, taskArnFor, taskLifecycle } from "../support/events.ts";
import { countCommands, type Dynalite, startDynalite } from "./dynalite.ts";

const NOW = new Date("2026-03-10T12:00:00.000Z");
let db: Dynalite;

beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => {
  await db.close();
});

async function ledger(retentionDays = 30) {
  const tableName = await db.table();
  return { tableName, ledger: createDynamoLedger(db.client, { tableName, retentionDays, now: () => NOW }) };
}

const run = (i: number, o: Partial<Run> = {}): Run =>
  runFixture({
    runId: `run-${String(i).padStart(3, "0")}`,
    createdAt: new Date(Date.parse("2026-03-01T00:00:00Z") + i * 60_000).toISOString(),
    ...o,
  });

const canonical = (r: Run | undefined) =>
  r && { ...r, tasks: [...r.tasks].sort((a, b) => (a.taskArn < b.taskArn ? -1 : 1)) };

/** A deterministic shuffle, so a failure can be replayed. */
const shuffle = <T>(items: readonly T[], seed: number): T[] => shuffled(items, seededRandom(seed));

describe("DynamoDB ledger against dynalite", () => {
  it("creates a run once: a second create, even concurrent, gets the stored run", async () => {
    const { ledger: l } = await ledger();
    const first = run(1);
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => l.create({ ...first, notes: [`try ${i}`] })),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const stored = await l.get(first.runId);
    for (const r of results) expect(r.run).toEqual(stored);
    expect(await l.get("nope")).toBeUndefined();
  });

  it("reaches the ordered result from shuffled, duplicated, concurrent task events", async () => {
    for (const seed of [1, 2, 3]) {
      const { ledger: l } = await ledger();
      const memory = new MemoryLedger();
      const r = run(seed, { expectedTasks: 3 });
      await l.create(r);
      await memory.create(r);
      const events = [0, 1, 2].flatMap((t) =>
        taskLifecycle({
          taskArn: taskArnFor(`${seed}/${t}`),
          ...(t === 1 && { containers: [{ name: "app", exitCode: 2 }] }),
        }).map((e) => e.detail),
      );
      for (const d of events) await memory.applyTaskEvents(r.runId, [d]);
      const outcomes = await Promise.all(
        shuffle([...events, ...events], seed).map((d) => l.applyTaskEvents(r.runId, [d])),
      );
      // Tasks are listed in the order their first event arrived; everything else is the same.
      expect(canonical(await l.get(r.runId))).toEqual(canonical(await memory.get(r.runId)));
      expect((await l.get(r.runId))?.status).toBe("FAILED");
      expect(outcomes.filter((o) => o?.becameFinal)).toHaveLength(1);
    }
  });

  it("lists a job's runs newest first, page by page, and all runs across jobs", async () => {
    const { ledger: l } = await ledger();
    const ids = shuffle(
      Array.from({ length: 30 }, (_, i) => i),
      7,
    );
    for (const i of ids) await l.create(run(i, { job: i % 6 === 0 ? "other" : "nightly-report" }));
    const expected = Array.from({ length: 30 }, (_, i) => i)
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

  it("lists the active runs only, and drops a run from them once it is final", async () => {
    const { ledger: l } = await ledger();
    await l.create(run(1));
    await l.create(run(2, { status: "RUNNING" }));
    await l.create(run(3, { status: "SUCCEEDED" }));
    await l.create(run(4, { status: "MISSED" }));
    expect((await l.listActive()).map((r) => r.runId).sort()).toEqual(["run-001", "run-002"]);
    const { run: ended, changed } = await l.finish("run-002", "TIMED_OUT", { hint: "too long" });
    expect(changed).toBe(true);
    expect(ended).toMatchObject({ status: "TIMED_OUT", hint: "too long", stoppedAt: NOW.toISOString() });
    expect((await l.listActive()).map((r) => r.runId)).toEqual(["run-001"]);
    expect((await l.finish("run-002", "FAILED")).changed).toBe(false);
    await expect(l.finish("run-999", "FAILED")).rejects.toThrow(NotFoundError);
  });

  it("keeps TIMED_OUT when the stopped task's events arrive after finish", async () => {
    const { ledger: l } = await ledger();
    const r = run(1);
    await l.create(r);
    const events = taskLifecycle({ taskArn: taskArnFor("t"), containers: [{ name: "app", exitCode: 143 }] });
    for (const e of events.slice(0, -1)) await l.applyTaskEvents(r.runId, [e.detail]);
    await l.finish(r.runId, "TIMED_OUT");
    const after = await l.applyTaskEvents(r.runId, [events[events.length - 1]!.detail]);
    expect(after).toMatchObject({ changed: true, becameFinal: false, run: { status: "TIMED_OUT" } });
    expect(await l.applyTaskEvents("missing", [events[0]!.detail])).toBeUndefined();
  });

  it("claims an alert once under concurrency, and again after a release", async () => {
    const { ledger: l } = await ledger();
    const claims = await Promise.all(Array.from({ length: 12 }, () => l.claimAlert("run-001", "FAILED")));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await l.claimAlert("run-001", "FAILED:sns")).toBe(true);
    expect(await l.claimAlert("run-002", "FAILED")).toBe(true);
    await l.releaseAlert("run-001", "FAILED");
    expect(await l.claimAlert("run-001", "FAILED")).toBe(true);
    expect(await l.claimAlert("run-001", "FAILED")).toBe(false);
  });

  it("records launches once per task ARN, keeping essential flags when an event came first", async () => {
    const { ledger: l } = await ledger();
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

  it("sets the TTL attribute from the retention on runs and claims", async () => {
    const { ledger: l, tableName } = await ledger(45);
    await l.create(run(1));
    await l.claimAlert("run-001", "FAILED");
    const doc = DynamoDBDocumentClient.from(db.client);
    const expected = Math.floor(NOW.getTime() / 1000) + 45 * 86_400;
    for (const pk of ["RUN#run-001", "CLAIM#run-001#FAILED"]) {
      const { Item } = await doc.send(new GetCommand({ TableName: tableName, Key: { pk } }));
      expect(Item?.expiresAt).toBe(expected);
    }
    // A change keeps the original expiry.
    await l.finish("run-001", "SKIPPED");
    const { Item } = await doc.send(new GetCommand({ TableName: tableName, Key: { pk: "RUN#run-001" } }));
    expect(Item).toMatchObject({ expiresAt: expected, rev: 1 });
    expect(Item?.activePk).toBeUndefined();
  });

  it("keeps keys only in its indexes, so a task event rewrites the run item and no index copy of it", async () => {
    const { ledger: l, tableName } = await ledger();
    await l.create(run(1, { status: "RUNNING" }));
    const doc = DynamoDBDocumentClient.from(db.client);
    for (const [IndexName, key, value] of [
      ["byJob", "gsi1pk", "JOB#nightly-report"],
      ["recent", "gsi2pk", "RUN"],
      ["active", "activePk", "ACTIVE"],
    ] as const) {
      const { Items } = await doc.send(
        new QueryCommand({
          TableName: tableName,
          IndexName,
          KeyConditionExpression: "#k = :k",
          ExpressionAttributeNames: { "#k": key },
          ExpressionAttributeValues: { ":k": value },
        }),
      );
      expect(Items).toHaveLength(1);
      expect(Items?.[0]).not.toHaveProperty("run");
      expect(Items?.[0]).toMatchObject({ pk: "RUN#run-001" });
    }
    // The listings read the runs themselves from the table, so they show the latest write.
    await l.finish("run-001", "TIMED_OUT", { hint: "too long" });
    expect((await l.listRecent()).runs).toEqual([await l.get("run-001")]);
    expect((await l.listByJob("nightly-report")).runs[0]).toMatchObject({
      status: "TIMED_OUT",
      hint: "too long",
    });
  });

  it("skips a run whose item is gone but which an index still lists (deleted by TTL in between)", async () => {
    const { ledger: l, tableName } = await ledger();
    for (const i of [1, 2, 3]) await l.create(run(i));
    // What TTL would do: the item goes; a lagging index (eventually consistent in AWS) may still list it.
    const doc = DynamoDBDocumentClient.from(db.client);
    const indexKeys = (
      await doc.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: "recent",
          KeyConditionExpression: "gsi2pk = :k",
          ExpressionAttributeValues: { ":k": "RUN" },
        }),
      )
    ).Items;
    expect(indexKeys).toHaveLength(3);
    await doc.send(new DeleteCommand({ TableName: tableName, Key: { pk: "RUN#run-002" } }));
    expect((await l.listRecent()).runs.map((r) => r.runId)).toEqual(["run-003", "run-001"]);
  });
});

describe("a run of 1,000 tasks that failed to start (more than a DynamoDB item holds as JSON)", () => {
  const REASON =
    "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 123456789012.dkr.ecr.eu-west-1.amazonaws.com/thumbnails:21: not found";

  it("is stored compressed, read back whole, listed, and still takes events", async () => {
    const { ledger: l, tableName } = await ledger();
    const tasks = Array.from({ length: 1000 }, (_, i) => ({
      taskArn: taskArnFor(`fanout-${i}`),
      lastStatus: "PENDING",
      version: 1,
      containers: [
        { name: "app", essential: true },
        { name: "log-router", essential: false },
      ],
    }));
    const big = run(900, { expectedTasks: 1000, tasks: [] });
    await l.create(big);
    await l.recordLaunch(big.runId, { tasks, failures: [] });
    // Every task stops without having run: each gets its stop code and reason, twice (task and container).
    for (const t of tasks.slice(0, 1000)) {
      const [stopped] = taskLifecycle({
        taskArn: t.taskArn,
        stopCode: "TaskFailedToStart",
        stoppedReason: REASON,
        containers: [{ name: "app", reason: REASON }],
        firstVersion: 2,
      }).slice(-1);
      await l.applyTaskEvents(big.runId, [stopped!.detail]);
    }
    const stored = await l.get(big.runId);
    expect(stored?.status).toBe("FAILED");
    expect(stored?.tasks).toHaveLength(1000);
    expect(stored?.tasks.every((t) => t.stoppedReason === REASON)).toBe(true);
    // As JSON it is past the 400 KB a DynamoDB item may hold: inline, every write of it would be refused.
    expect(JSON.stringify(stored).length).toBeGreaterThan(400 * 1024);

    const raw = await DynamoDBDocumentClient.from(db.client).send(
      new GetCommand({ TableName: tableName, Key: { pk: `RUN#${big.runId}` } }),
    );
    expect(raw.Item?.run).toBeUndefined();
    expect((raw.Item?.runz as Uint8Array | undefined)?.byteLength).toBeLessThan(100 * 1024);

    const listed = await l.listByJob(big.job, { limit: 5 });
    expect(listed.runs.find((r) => r.runId === big.runId)?.tasks).toHaveLength(1000);
  });
});

describe("the job slot of concurrency: forbid, against dynalite", () => {
  const at = (minutes = 0) => ({
    now: new Date(NOW.getTime() + minutes * 60_000),
    until: new Date(NOW.getTime() + (minutes + 60) * 60_000),
  });

  it("goes to exactly one of many simultaneous runs, and again to a redelivery of that run", async () => {
    const { ledger: l } = await ledger();
    const runs = Array.from({ length: 8 }, (_, i) => run(500 + i, { job: "slot-a" }));
    for (const r of runs) await l.create(r);
    const results = await Promise.all(runs.map((r) => l.claimJobSlot("slot-a", r.runId, at())));
    const winners = runs.filter((_, i) => results[i]?.taken);
    expect(winners).toHaveLength(1);
    const holder = winners[0]!.runId;
    for (const r of results) if (!r.taken) expect(r.holder).toBe(holder);
    expect(await l.claimJobSlot("slot-a", holder, at())).toEqual({ taken: true });
  });

  it("is free again once its holder is final, or past its time", async () => {
    const { ledger: l } = await ledger();
    const [a, b, c] = [run(600, { job: "slot-b" }), run(601, { job: "slot-b" }), run(602, { job: "slot-b" })];
    for (const r of [a, b, c]) await l.create(r);
    expect(await l.claimJobSlot("slot-b", a.runId, at())).toEqual({ taken: true });
    expect(await l.claimJobSlot("slot-b", b.runId, at())).toEqual({ taken: false, holder: a.runId });
    await l.finish(a.runId, "TIMED_OUT");
    expect(await l.claimJobSlot("slot-b", b.runId, at())).toEqual({ taken: true });
    // b never ends (its Lambda died): after its time the slot lapses.
    expect(await l.claimJobSlot("slot-b", c.runId, at(30))).toEqual({ taken: false, holder: b.runId });
    expect(await l.claimJobSlot("slot-b", c.runId, at(61))).toEqual({ taken: true });
  });

  it("replace: of 20 simultaneous takeovers each replaces exactly one other, so one holder is left", async () => {
    const { ledger: l } = await ledger();
    const runs = Array.from({ length: 20 }, (_, i) => run(700 + i, { job: "slot-r" }));
    for (const r of runs) await l.create(r);
    const results = await Promise.all(runs.map((r) => l.takeJobSlot("slot-r", r.runId, at())));
    const previous = results.map((r) => r.previous).filter((p): p is string => p !== undefined);
    // A chain: one took the free slot, every other took it from a distinct run, and the last holder from none.
    expect(results.filter((r) => r.previous === undefined)).toHaveLength(1);
    expect(new Set(previous).size).toBe(19);
    const last = runs.map((r) => r.runId).filter((id) => !previous.includes(id));
    expect(last).toHaveLength(1);
    expect(await l.claimJobSlot("slot-r", "someone-else", at())).toMatchObject({ holder: last[0] });
    // Taking it again as the holder replaces nobody.
    expect(await l.takeJobSlot("slot-r", last[0] as string, at())).toEqual({});
  });

  it("replace: each takeover is one DynamoDB call however many triggers contend (no read-and-retry rounds)", async () => {
    // 20 Lambda containers, each with its own client: under contention a read-then-conditional-write took
    // O(N²) calls (158 for 20), enough to run a POST past its 30 s on a loaded machine.
    const tableName = await db.table();
    const clients = Array.from({ length: 20 }, () => db.newClient());
    const counts = clients.map((c) => countCommands(c));
    const ledgers = clients.map((c) =>
      createDynamoLedger(c, { tableName, retentionDays: 30, now: () => NOW }),
    );
    const ids = ledgers.map((_, i) => `run-${800 + i}`);
    const results = await Promise.all(ledgers.map((l, i) => l.takeJobSlot("slot-n", ids[i] as string, at())));
    expect(counts.map((c) => [c.total(), c.get("PutItem")])).toEqual(ids.map(() => [1, 1]));
    expect(new Set(results.map((r) => r.previous)).size).toBe(20);
  });
});
