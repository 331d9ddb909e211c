/**
 * A run whose tasks are stored in parts (src/ledger/task-parts.ts) across a restart of the local ledger:
 * its parts and its tasks' placements are journaled with the run item (local/ledger-journal.ts), so a
 * restart either finds the run whole or refuses, naming the run and the item it lost. Before, only run items
 * were journaled, and a ledger that lost a part of a run's tasks started without a word.
 */
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { Level } from "level";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkLedger, ensureTable, startDynalite } from "../../local/dynamo.ts";
import { JOURNAL_FILE } from "../../local/ledger-journal.ts";
import { EcsJobsError } from "../../src/errors.ts";
import { createDynamoLedger } from "../../src/ledger/dynamo.ts";
import { RUN_TABLE_DEFINITION } from "../../src/ledger/dynamo-table.ts";
import type { Run } from "../../src/runs/model.ts";
import { launchedRun } from "../runs/harness.ts";
import { eventsOf, launchedTasks } from "../runs/task-scenarios.ts";

const TABLE = "ecs-jobs-runs";
const SMALL_PARTS = { above: 2, size: 2 };

/** The local ledger as the stack opens it: checked against its journal, then dynalite journaling writes. */
async function open(dataDir: string, existed: boolean) {
  const journal = join(dataDir, JOURNAL_FILE);
  await checkLedger(join(dataDir, "ledger"), existed, journal);
  const dynamo = await startDynalite(join(dataDir, "ledger"), 0, {
    journal: { path: journal, onError: (e) => expect.fail(String(e)) },
  });
  const client = new DynamoDBClient({
    endpoint: dynamo.url,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  await ensureTable(client, TABLE, RUN_TABLE_DEFINITION);
  const ledger = createDynamoLedger(client, { tableName: TABLE, retentionDays: 1, taskParts: SMALL_PARTS });
  return {
    ledger,
    async close() {
      client.destroy();
      await dynamo.close();
    },
  };
}

/** A copy of the data dir with the first item under `prefix` deleted from LevelDB (a write lost). */
async function withItemLost(dataDir: string, prefix: string): Promise<{ dir: string; pk: string }> {
  const dir = mkdtempSync(join(tmpdir(), "ecs-jobs-split-lost-"));
  cpSync(dataDir, dir, { recursive: true });
  const db = new Level(join(dir, "ledger"), { createIfMissing: false });
  await db.open();
  let lost: { key: string; pk: string } | undefined;
  for await (const [key, value] of db.iterator()) {
    const pk = (JSON.parse(value) as { pk?: { S?: string } }).pk?.S ?? "";
    if (key.startsWith("item-") && pk.startsWith(prefix)) {
      lost = { key, pk };
      break;
    }
  }
  if (!lost) throw new Error(`no ${prefix} item in the ledger`);
  await db.del(lost.key);
  await db.close();
  return { dir, pk: lost.pk };
}

const dirs: string[] = [];
let dataDir: string;
let run: Run;
let before: Run | undefined;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "ecs-jobs-split-journal-"));
  dirs.push(dataDir);
  const first = await open(dataDir, false);
  run = launchedRun("report", { runId: "20260310T120000Z-0000abcd", expectedTasks: 6 });
  const specs = Array.from({ length: 6 }, () => ({
    started: true,
    launchType: "FARGATE" as const,
    exitCodes: [0],
  }));
  const events = eventsOf(run, specs);
  await first.ledger.create(run);
  await first.ledger.recordLaunch(run.runId, { tasks: launchedTasks(events), failures: [] });
  await first.ledger.applyTaskEvents(run.runId, events);
  before = await first.ledger.get(run.runId);
  await first.close();
});

afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("a run stored in parts across a restart of the local ledger", () => {
  it("is whole after a restart", async () => {
    expect(before?.tasks).toHaveLength(6);
    expect(before?.status).toBe("SUCCEEDED");
    const again = await open(dataDir, true);
    try {
      expect(await again.ledger.get(run.runId)).toEqual(before);
    } finally {
      await again.close();
    }
  });

  it.each([
    ["a part of its tasks", "TASKS#"],
    ["a task's placement", "TASKPART#"],
  ])("refuses to start when %s was lost, naming the run and the item", async (_what, prefix) => {
    const { dir, pk } = await withItemLost(dataDir, prefix);
    dirs.push(dir);
    const outcome = await open(dir, true).then(
      async (o) => {
        await o.close();
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(outcome).toBeInstanceOf(EcsJobsError);
    expect((outcome as Error).message).toContain(run.runId);
    expect((outcome as Error).message).toContain(pk);
  });
});
