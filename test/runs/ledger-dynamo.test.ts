import { gzipSync } from "node:zlib";
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seededRandom } from "../../local/ecs/faults.ts";
import { createDynamoLedger } from "../../src/ledger/dynamo.ts";
import { foldTaskEvents } from "../../src/runs/fold-events.ts";
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

const _canonical = (r: Run | undefined) =>
  r && { ...r, tasks: [...r.tasks].sort((a, b) => (a.taskArn < b.taskArn ? -1 : 1)) };

/** A deterministic shuffle, so a failure can be replayed. */
const _shuffle = <T>(items: readonly T[], seed: number): T[] => shuffled(items, seededRandom(seed));

describe("DynamoDB ledger against dynalite", () => {
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
    const stops = tasks.map(
      (t) =>
        taskLifecycle({
          taskArn: t.taskArn,
          stopCode: "TaskFailedToStart",
          stoppedReason: REASON,
          containers: [{ name: "app", reason: REASON }],
          firstVersion: 2,
        }).at(-1)!.detail,
    );
    // In SQS batches of 100, as deployed.
    for (let i = 0; i < stops.length; i += 100) await l.applyTaskEvents(big.runId, stops.slice(i, i + 100));
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

describe("items as the ledger stored them before the run store (existing tables and .ecs-jobs/ data dirs)", () => {
  it("reads, lists and changes runs, claims and slots written in that layout, and writes the same layout", async () => {
    const { ledger: l, tableName } = await ledger();
    const doc = DynamoDBDocumentClient.from(db.client);
    const inline = run(1, { status: "RUNNING", job: "legacy" });
    // Five tasks: over 1 KB of JSON, so stored gzipped before and after.
    const firsts = [0, 1, 2, 3, 4].map(
      (t) => taskLifecycle({ taskArn: taskArnFor(`legacy-${t}`) })[0]!.detail,
    );
    const big = foldTaskEvents(run(2, { job: "legacy", tasks: [] }), firsts)!;
    // Written by hand as src/ledger/dynamo.ts wrote them until now (zlib's default gzip settings then).
    const old = [
      {
        pk: "RUN#run-001",
        rev: 3,
        run: inline,
        gsi1pk: "JOB#legacy",
        gsi1sk: `${inline.createdAt}#run-001`,
        gsi2pk: "RUN",
        activePk: "ACTIVE",
        expiresAt: 1_900_000_000,
      },
      {
        pk: "RUN#run-002",
        rev: 7,
        runz: gzipSync(JSON.stringify(big)),
        gsi1pk: "JOB#legacy",
        gsi1sk: `${big.createdAt}#run-002`,
        gsi2pk: "RUN",
        activePk: "ACTIVE",
        expiresAt: 1_900_000_000,
      },
      { pk: "CLAIM#run-001#FAILED", claimedAt: "2026-03-01T00:00:00.000Z", expiresAt: 1_900_000_000 },
      { pk: "SLOT#legacy", holder: "run-001", until: "2026-03-10T13:00:00.000Z", expiresAt: 1_900_000_000 },
    ];
    for (const Item of old) await doc.send(new PutCommand({ TableName: tableName, Item }));

    expect(await l.get("run-001")).toEqual(inline);
    expect(await l.get("run-002")).toEqual(big);
    expect((await l.listByJob("legacy")).runs.map((r) => r.runId)).toEqual(["run-002", "run-001"]);
    expect((await l.listActive()).map((r) => r.runId).sort()).toEqual(["run-001", "run-002"]);
    expect(await l.claimChannels("run-001", "FAILED", ["eventbridge", "sns"])).toEqual([]);
    expect(await l.claimJobSlot("legacy", "run-002", { now: NOW, until: NOW })).toEqual({
      taken: false,
      holder: "run-001",
    });

    const [, pending] = taskLifecycle({ taskArn: taskArnFor("legacy-0") });
    expect(await l.applyTaskEvents("run-002", [pending!.detail])).toMatchObject({ changed: true });
    const { Item } = await doc.send(new GetCommand({ TableName: tableName, Key: { pk: "RUN#run-002" } }));
    expect(Object.keys(Item ?? {}).sort()).toEqual(Object.keys(old[1]!).sort());
    expect(Item).toMatchObject({ rev: 8, expiresAt: 1_900_000_000, gsi1sk: old[1]!.gsi1sk });
    await l.finish("run-001", "CANCELLED");
    // Listed until ECS took StopTask for its tasks (end-work.ts); then no longer.
    await l.stopDone("run-001");
    const ended = await doc.send(new GetCommand({ TableName: tableName, Key: { pk: "RUN#run-001" } }));
    // Final: the same layout without the sparse activePk.
    expect(Object.keys(ended.Item ?? {}).sort()).toEqual(
      ["expiresAt", "gsi1pk", "gsi1sk", "gsi2pk", "pk", "rev", ended.Item?.run ? "run" : "runz"].sort(),
    );
    expect(ended.Item).toMatchObject({ rev: 5, expiresAt: 1_900_000_000 });
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
    const at = { now: NOW, until: new Date(NOW.getTime() + 3_600_000) };
    const results = await Promise.all(ledgers.map((l, i) => l.takeJobSlot("slot-n", ids[i] as string, at)));
    expect(counts.map((c) => [c.total(), c.get("PutItem")])).toEqual(ids.map(() => [1, 1]));
    expect(new Set(results.map((r) => r.previous)).size).toBe(20);
  });
});
