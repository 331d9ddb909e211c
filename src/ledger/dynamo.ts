/**
 * The run ledger in DynamoDB (dynalite locally): the run store (run-store.ts) over the DynamoDB storage
 * adapter (dynamo-storage.ts), on a table laid out as dynamo-table.ts describes.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createDynamoStorage } from "./dynamo-storage.ts";
import { RUN_TABLE_DEFINITION } from "./dynamo-table.ts";
import type { RunLedger } from "./ledger.ts";
import { createRunStore, type RunStoreOptions } from "./run-store.ts";

export { RUN_TABLE_DEFINITION };

export interface DynamoLedgerOptions extends RunStoreOptions {
  tableName: string;
}

export function createDynamoLedger(client: DynamoDBClient, options: DynamoLedgerOptions): RunLedger {
  const { tableName, ...store } = options;
  const storage = createDynamoStorage(client, { tableName, maxAttempts: options.maxWriteAttempts ?? 60 });
  return createRunStore(storage, store);
}
