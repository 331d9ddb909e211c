/**
 * The run ledger's local store: dynalite (a DynamoDB-compatible server on LevelDB) kept on disk, so history
 * survives restarts. The ledger code talks to it through the ordinary DynamoDB client, as it does in AWS.
 */
import { timingSafeEqual } from "node:crypto";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
} from "@aws-sdk/client-dynamodb";
import dynalite from "dynalite";
import { Level } from "level";
import { EcsJobsError } from "../src/host/wiring.ts";
import {
  describeLoss,
  journalKey,
  journalRunWrites,
  lostWrites,
  type RunRevision,
  readJournal,
  runRevisionOf,
  writeJournal,
} from "./ledger-journal.ts";
import { accessKeyOf, closeServer, guardRequests, refuseWebPages } from "./net.ts";

export interface LocalDynamo {
  url: string;
  close(): Promise<void>;
}

const sameKey = (a: string, b: string | undefined) =>
  b !== undefined && a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * Starts dynalite on 127.0.0.1 (a free port unless one is given), storing its tables under `path` (made
 * owner-only). With `accessKeyId`, only requests signed with that key are served, as DynamoDB answers an
 * unknown key: the ledger holds runs' overrides, and any local process could otherwise read them.
 */
export async function startDynalite(
  path: string,
  port = 0,
  options: {
    accessKeyId?: string;
    /** The journal of run writes (ledger-journal.ts), appended to as dynalite acknowledges them. */
    journal?: { path: string; onError: (error: unknown) => void };
  } = {},
): Promise<LocalDynamo> {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  chmodSync(path, 0o700);
  const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const closeJournal = options.journal
    ? journalRunWrites(server, options.journal.path, options.journal.onError)
    : () => {};
  const key = options.accessKeyId;
  if (key !== undefined)
    guardRequests(
      server,
      (req) => !sameKey(key, accessKeyOf(req)),
      (res) => {
        const body = JSON.stringify({
          __type: "com.amazon.coral.service#UnrecognizedClientException",
          message: "The security token included in the request is invalid.",
        });
        res.writeHead(400, {
          "content-type": "application/x-amz-json-1.0",
          "content-length": Buffer.byteLength(body),
        });
        res.end(body);
      },
    );
  // dynalite answers CORS preflights for any origin: without this, any web page open in the developer's
  // browser could read and change the run ledger (runs' overrides included) once it found the port.
  refuseWebPages(server, (res) => {
    const body = JSON.stringify({
      __type: "com.amazonaws.dynamodb.v20120810#AccessDeniedException",
      message: "The local run ledger answers this machine's programs only, not web pages.",
    });
    res.writeHead(403, {
      "content-type": "application/x-amz-json-1.0",
      "content-length": Buffer.byteLength(body),
    });
    res.end(body);
  });
  await new Promise<void>((resolve, reject) => {
    const fail = (error: Error) => {
      closeJournal();
      reject(error);
    };
    server.once("error", fail);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", fail);
      resolve();
    });
  });
  const { port: bound } = server.address() as AddressInfo;
  // dynalite closes its database once the last connection ends: requests in flight get time to finish, or
  // they would find the database closed (which dynalite answers by throwing).
  return {
    url: `http://127.0.0.1:${bound}`,
    close: async () => {
      await closeServer(server, 10_000);
      closeJournal();
    },
  };
}

/**
 * Checks the run ledger on disk before dynalite opens it: dynalite, given a damaged LevelDB, either starts
 * an empty one (CURRENT or the folder gone: every run and its alerts lost without a word) or throws
 * "Database is closed" from its internals, uncaught. `existed` says whether the data dir was used before
 * (other state files are there): then a missing ledger is damage, not a first start. Every entry is read
 * once, which also finds table files that are gone (LevelDB opens those lazily), and the runs read are
 * compared with the journal of the writes the ledger acknowledged (ledger-journal.ts), which finds a log
 * file cut short: LevelDB recovers that silently. Local ledgers are small.
 *
 * The check opens a copy: LevelDB repairs what it opens (a cut log is replayed into a table and deleted),
 * and a ledger refused here must stay as it was, for a backup tool or a person to look at.
 * On success the journal is rewritten from what the ledger holds (one line a run, and one for each task
 * item of a run stored in parts).
 */
export async function checkLedger(path: string, existed: boolean, journalPath: string): Promise<void> {
  const advice =
    "Restore it from a backup, or move the data dir aside to start afresh (the run history is then gone).";
  if (!existsSync(join(path, "CURRENT"))) {
    if (!existed) return;
    throw new EcsJobsError(
      "DamagedLedger",
      `the run ledger ${path} is missing or damaged (no ${existsSync(path) ? "CURRENT file" : "folder"}), while the data dir holds the state of earlier runs. ${advice}`,
    );
  }
  const journal = readJournal(journalPath);
  const held = new Map<string, RunRevision>();
  const copy = mkdtempSync(join(dirname(path), ".ledger-check-"));
  try {
    cpSync(path, copy, { recursive: true });
    const db = new Level(copy, { createIfMissing: false });
    try {
      await db.open();
      for await (const [key, value] of db.iterator()) {
        // The table's own items (not its index copies, which a cut log may keep while losing the item).
        if (!key.startsWith("item-")) continue;
        let run: RunRevision | undefined;
        try {
          run = runRevisionOf(JSON.parse(value));
        } catch {}
        if (run) held.set(journalKey(run), run);
      }
    } catch (error) {
      const cause = (error as { cause?: Error }).cause?.message ?? (error as Error).message;
      throw new EcsJobsError("DamagedLedger", `the run ledger ${path} is damaged (${cause}). ${advice}`, {
        cause: error,
      });
    } finally {
      await db.close().catch(() => {});
    }
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
  const loss = lostWrites(journal, new Map([...held].map(([id, r]) => [id, r.rev])));
  if (loss.missing.length > 0 || loss.behind.length > 0)
    throw new EcsJobsError(
      "DamagedLedger",
      `the run ledger ${path} lost writes it had acknowledged (a log file cut short, by a crash or a copy taken mid-write): ${describeLoss(loss)}. Its files are left as they are. Restore the folder from a backup; or, to go on with what it still holds (the runs above then stay lost), move ${journalPath} aside and start again.`,
    );
  writeJournal(journalPath, held.values());
}

/** The parts of CreateTableInput the ledger decides (RUN_TABLE_DEFINITION); the rest is chosen here. */
export interface TableDefinition {
  KeySchema: CreateTableCommandInput["KeySchema"];
  AttributeDefinitions: CreateTableCommandInput["AttributeDefinitions"];
  GlobalSecondaryIndexes?: CreateTableCommandInput["GlobalSecondaryIndexes"];
  LocalSecondaryIndexes?: CreateTableCommandInput["LocalSecondaryIndexes"];
}

/** Creates the table unless it exists (it does after a restart) and waits until it is ACTIVE. */
export async function ensureTable(
  client: DynamoDBClient,
  tableName: string,
  definition: TableDefinition,
): Promise<"created" | "existing"> {
  let outcome: "created" | "existing" = "existing";
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: "PAY_PER_REQUEST",
        KeySchema: definition.KeySchema,
        AttributeDefinitions: definition.AttributeDefinitions,
        ...(definition.GlobalSecondaryIndexes?.length && {
          GlobalSecondaryIndexes: definition.GlobalSecondaryIndexes,
        }),
        ...(definition.LocalSecondaryIndexes?.length && {
          LocalSecondaryIndexes: definition.LocalSecondaryIndexes,
        }),
      }),
    );
    outcome = "created";
  }
  for (let i = 0; i < 100; i++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const indexesReady = (Table?.GlobalSecondaryIndexes ?? []).every((g) => g.IndexStatus === "ACTIVE");
    if (Table?.TableStatus === "ACTIVE" && indexesReady) return outcome;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`table ${tableName} did not become ACTIVE in dynalite`);
}
