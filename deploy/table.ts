/**
 * The DynamoDB table of the run ledger. Its keys belong to the ledger (src/runs/ledger-dynamo.ts exports
 * RUN_TABLE_DEFINITION); the stack only adds how it is run: on demand, point-in-time recovery, TTL.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
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

/**
 * Used until the ledger publishes its own definition.
 * TODO(issue 5): remove once src/runs/ledger-dynamo.ts exports RUN_TABLE_DEFINITION.
 */
export const FALLBACK_TABLE_DEFINITION: RunTableDefinition = {
  KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
  AttributeDefinitions: [
    { AttributeName: "pk", AttributeType: "S" },
    { AttributeName: "gsi1pk", AttributeType: "S" },
    { AttributeName: "gsi1sk", AttributeType: "S" },
  ],
  GlobalSecondaryIndexes: [
    {
      IndexName: "byJob",
      KeySchema: [
        { AttributeName: "gsi1pk", KeyType: "HASH" },
        { AttributeName: "gsi1sk", KeyType: "RANGE" },
      ],
      Projection: { ProjectionType: "ALL" },
    },
  ],
  ttlAttribute: "expiresAt",
};

export const LEDGER_MODULE = "src/runs/ledger-dynamo.ts";

/** The ledger's definition when its module exists, else the fallback (and says which). */
export async function loadRunTableDefinition(
  serviceDir: string,
): Promise<{ definition: RunTableDefinition; source: "ledger" | "fallback" }> {
  const path = resolve(serviceDir, LEDGER_MODULE);
  if (!existsSync(path)) return { definition: FALLBACK_TABLE_DEFINITION, source: "fallback" };
  const mod = (await import(pathToFileURL(path).href)) as { RUN_TABLE_DEFINITION?: Record<string, unknown> };
  const def = mod.RUN_TABLE_DEFINITION;
  if (!def) return { definition: FALLBACK_TABLE_DEFINITION, source: "fallback" };
  const ttl = def.ttlAttribute ?? def.timeToLiveAttribute ?? def.TimeToLiveAttribute;
  return {
    definition: {
      ...(def as unknown as RunTableDefinition),
      ...(typeof ttl === "string" && { ttlAttribute: ttl }),
    },
    source: "ledger",
  };
}

export function tableResource(def: RunTableDefinition, tableName: string): CfnResource {
  const index = (i: Index) => ({
    IndexName: i.IndexName,
    KeySchema: i.KeySchema,
    Projection: i.Projection ?? { ProjectionType: "ALL" },
  });
  return {
    Type: "AWS::DynamoDB::Table",
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
