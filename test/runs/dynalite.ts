/** A dynalite server in this process with the run table created from RUN_TABLE_DEFINITION. */
import type { AddressInfo } from "node:net";
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import dynalite from "dynalite";
import { RUN_TABLE_DEFINITION } from "../../src/runs/ledger-dynamo.ts";

export interface Dynalite {
  client: DynamoDBClient;
  /** A fresh table on each call, so tests do not see each other's runs. */
  table(): Promise<string>;
  close(): Promise<void>;
}

let tables = 0;

export async function startDynalite(): Promise<Dynalite> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  const { ttlAttribute: _ttl, ...definition } = RUN_TABLE_DEFINITION;
  return {
    client,
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
      client.destroy();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}
