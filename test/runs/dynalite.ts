/** A dynalite server in this process with the run table created from RUN_TABLE_DEFINITION. */
import type { AddressInfo } from "node:net";
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import dynalite from "dynalite";
import { afterAll, beforeAll } from "vitest";
import {
  createDynamoLedger,
  type DynamoLedgerOptions,
  RUN_TABLE_DEFINITION,
} from "../../src/ledger/dynamo.ts";
import type { RunLedger } from "../../src/ledger/ledger.ts";

export interface Dynalite {
  client: DynamoDBClient;
  /** Another client of the same server: each ledger instance (Lambda container) has its own. */
  newClient(): DynamoDBClient;
  /** A fresh table on each call, so tests do not see each other's runs. */
  table(): Promise<string>;
  close(): Promise<void>;
}

let tables = 0;

export async function startDynalite(): Promise<Dynalite> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const clients: DynamoDBClient[] = [];
  const newClient = () => {
    const c = new DynamoDBClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    clients.push(c);
    return c;
  };
  const client = newClient();
  const { ttlAttribute: _ttl, ...definition } = RUN_TABLE_DEFINITION;
  return {
    client,
    newClient,
    async table() {
      const TableName = `runs-${++tables}`;
      await client.send(new CreateTableCommand({ TableName, BillingMode: "PAY_PER_REQUEST", ...definition }));
      for (;;) {
        const { Table } = await client.send(new DescribeTableCommand({ TableName }));
        if (
          Table?.TableStatus === "ACTIVE" &&
          (Table.GlobalSecondaryIndexes ?? []).every((g) => g.IndexStatus === "ACTIVE")
        )
          return TableName;
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    async close() {
      for (const c of clients) c.destroy();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}

/** The DynamoDB commands a client sent, by name ("PutItem"), and the conditional puts that failed. */
export interface CommandCounts {
  total(): number;
  get(name: string): number;
  conditionFailures: number;
  reset(): void;
}

export function countCommands(client: DynamoDBClient): CommandCounts {
  const counts = new Map<string, number>();
  const result = {
    conditionFailures: 0,
    total: () => [...counts.values()].reduce((a, b) => a + b, 0),
    get: (name: string) => counts.get(name) ?? 0,
    reset() {
      counts.clear();
      result.conditionFailures = 0;
    },
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName).replace(/Command$/, "");
      counts.set(name, (counts.get(name) ?? 0) + 1);
      try {
        return await next(args);
      } catch (e) {
        if ((e as { name?: unknown }).name === "ConditionalCheckFailedException") result.conditionFailures++;
        throw e;
      }
    },
    { step: "initialize", name: "testCountCommands" },
  );
  return result;
}

/** One ledger instance and the DynamoDB commands it sent. */
export interface LedgerInstance {
  ledger: RunLedger;
  counts: CommandCounts;
}

/**
 * For a test file whose ledgers share one table: dynalite started before its tests and closed after them.
 * Each call of the returned function is a ledger instance with its own client and so its own cache, as a
 * Lambda container has (retention 1 day unless `options` say otherwise).
 */
export function ledgerInstances(): (
  options?: Partial<Omit<DynamoLedgerOptions, "tableName">>,
) => LedgerInstance {
  let db: Dynalite | undefined;
  let tableName = "";
  beforeAll(async () => {
    db = await startDynalite();
    tableName = await db.table();
  });
  afterAll(async () => {
    await db?.close();
  });
  return (options = {}) => {
    if (!db) throw new Error("a ledger instance is made in a test, after dynalite has started");
    const client = db.newClient();
    const counts = countCommands(client);
    return { ledger: createDynamoLedger(client, { tableName, retentionDays: 1, ...options }), counts };
  };
}
