/**
 * The DynamoDB table of the run ledger. Its keys belong to the ledger (src/ledger/dynamo-table.ts exports
 * RUN_TABLE_DEFINITION); the stack only adds how it is run: on demand, point-in-time recovery, TTL.
 */
import { RUN_TABLE_DEFINITION } from "../src/ledger/dynamo-table.ts";
import type { CfnResource } from "./iam.ts";

interface KeyElement {
  AttributeName: string;
  KeyType: "HASH" | "RANGE";
}
interface Index {
  IndexName: string;
  KeySchema: KeyElement[];
  Projection: { ProjectionType: string; NonKeyAttributes?: string[] };
}

/** The subset of CreateTableInput the ledger decides, plus the TTL attribute. */
export interface RunTableDefinition {
  KeySchema: KeyElement[];
  AttributeDefinitions: { AttributeName: string; AttributeType: "S" | "N" | "B" }[];
  GlobalSecondaryIndexes?: Index[];
  LocalSecondaryIndexes?: Index[];
  ttlAttribute?: string;
}

/** The run table as the ledger defines it (src/ledger/dynamo-table.ts). */
export const runTableDefinition = (): RunTableDefinition => RUN_TABLE_DEFINITION;

export function tableResource(def: RunTableDefinition, tableName: string): CfnResource {
  const index = (i: Index) => ({
    IndexName: i.IndexName,
    KeySchema: i.KeySchema,
    Projection: i.Projection ?? { ProjectionType: "ALL" },
  });
  return {
    Type: "AWS::DynamoDB::Table",
    // The run history outlives the stack: deleting the stack, or an update that replaces the table (a new
    // key or name), leaves the table in the account instead of deleting every run with it.
    DeletionPolicy: "Retain",
    UpdateReplacePolicy: "Retain",
    Properties: {
      TableName: tableName,
      BillingMode: "PAY_PER_REQUEST",
      KeySchema: def.KeySchema,
      AttributeDefinitions: def.AttributeDefinitions,
      ...(def.GlobalSecondaryIndexes?.length && {
        GlobalSecondaryIndexes: def.GlobalSecondaryIndexes.map(index),
      }),
      ...(def.LocalSecondaryIndexes?.length && {
        LocalSecondaryIndexes: def.LocalSecondaryIndexes.map(index),
      }),
      ...(def.ttlAttribute && {
        TimeToLiveSpecification: { AttributeName: def.ttlAttribute, Enabled: true },
      }),
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    },
  };
}
