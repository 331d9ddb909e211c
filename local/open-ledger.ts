/**
 * The run ledger of the local stack: the DynamoDB ledger the handlers use in AWS, on dynalite, with its table
 * created from the ledger's own definition when missing (a fresh clone) and kept otherwise (a restart).
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { RunTransitions } from "../src/host/domain.ts";
import {
  type AppConfig,
  createDynamoLedger,
  RUN_TABLE_DEFINITION,
  type RunLedger,
} from "../src/host/wiring.ts";
import { ensureTable } from "./dynamo.ts";

export async function openLedger(
  client: DynamoDBClient,
  config: AppConfig,
  now: () => Date,
  transitions?: RunTransitions,
): Promise<RunLedger> {
  // dynalite has no UpdateTimeToLive: locally runs are kept until .ecs-jobs/ is removed.
  await ensureTable(client, config.tableName, RUN_TABLE_DEFINITION);
  return createDynamoLedger(client, {
    tableName: config.tableName,
    retentionDays: config.retentionDays,
    now,
    ...(transitions && { transitions }),
  });
}
