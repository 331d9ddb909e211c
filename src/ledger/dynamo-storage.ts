/**
 * The storage port (storage.ts) on a DynamoDB table laid out as dynamo-table.ts describes (dynalite locally):
 * each port call is one DynamoDB call, except getMany, which asks again for the keys DynamoDB leaves
 * unprocessed. Conditions are compiled to ConditionExpressions here; a condition that does not hold is an
 * answer (false / undefined), not an error. Throttling and server errors propagate, so a Lambda invocation
 * fails and is retried (every ledger operation is idempotent).
 */
import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  ResourceNotFoundException,
} from "@aws-sdk/client-dynamodb";
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { MissingResourceError, ThrottledError } from "../errors.ts";
import { RUN_TABLE_DEFINITION } from "./dynamo-table.ts";
import type { Condition, Item, ItemUpdate, Storage } from "./storage.ts";

export interface DynamoStorageOptions {
  tableName: string;
  /** BatchGetItem calls tried before keys DynamoDB keeps leaving unprocessed give up with ThrottledError. */
  maxAttempts: number;
}

/** BatchGetItem's most keys a call. */
const BATCH_KEYS = 100;

/** An expression's placeholders: `#name` for each attribute, `:vN` for each value. */
class Placeholders {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, unknown> = {};
  name(attribute: string): string {
    const placeholder = `#${attribute.replace(/[^A-Za-z0-9_]/g, "_")}`;
    this.names[placeholder] = attribute;
    return placeholder;
  }
  value(v: unknown): string {
    const placeholder = `:v${Object.keys(this.values).length}`;
    this.values[placeholder] = v;
    return placeholder;
  }
  /** The parts of a command input that name them (DynamoDB refuses empty maps). */
  input() {
    return {
      ...(Object.keys(this.names).length > 0 && { ExpressionAttributeNames: this.names }),
      ...(Object.keys(this.values).length > 0 && { ExpressionAttributeValues: this.values }),
    };
  }
}

function conditionExpression(c: Condition, p: Placeholders, nested = false): string {
  switch (c.op) {
    case "absent":
      return `attribute_not_exists(${p.name(c.name)})`;
    case "=":
    case "<>":
    case "<":
      return `${p.name(c.name)} ${c.op} ${p.value(c.value)}`;
    default: {
      const joined = c.of.map((part) => conditionExpression(part, p, true)).join(` ${c.op.toUpperCase()} `);
      return nested ? `(${joined})` : joined;
    }
  }
}

function updateExpression(change: ItemUpdate, p: Placeholders): string {
  const sets = [
    ...Object.entries(change.set ?? {}).map(([k, v]) => `${p.name(k)} = ${p.value(v)}`),
    ...Object.entries(change.setIfAbsent ?? {}).map(([k, v]) => {
      const name = p.name(k);
      return `${name} = if_not_exists(${name}, ${p.value(v)})`;
    }),
  ];
  const removes = (change.remove ?? []).map((k) => p.name(k));
  return [
    ...(sets.length > 0 ? [`SET ${sets.join(", ")}`] : []),
    ...(removes.length > 0 ? [`REMOVE ${removes.join(", ")}`] : []),
  ].join(" ");
}

/** The index's partition key attribute, from the table definition itself. */
function hashKeyOf(index: string): string {
  const gsi = RUN_TABLE_DEFINITION.GlobalSecondaryIndexes.find((g) => g.IndexName === index);
  const hash = gsi?.KeySchema.find((k) => k.KeyType === "HASH")?.AttributeName;
  if (!hash) throw new Error(`run table has no index ${index}`);
  return hash;
}

/** Contended readers back off a little, at random. */
const backoff = (attempt: number) =>
  new Promise((r) => setTimeout(r, Math.floor(Math.random() * Math.min(50, 2 + attempt * 4))));

export function createDynamoStorage(client: DynamoDBClient, options: DynamoStorageOptions): Storage {
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const TableName = options.tableName;
  /** Every call: a table that does not exist is named, not left as DynamoDB's bare ResourceNotFoundException. */
  const send = (async (command: Parameters<typeof doc.send>[0]) => {
    try {
      return await doc.send(command);
    } catch (error) {
      if (error instanceof ResourceNotFoundException)
        throw new MissingResourceError(`table ${TableName}`, `run table ${TableName} does not exist`, {
          cause: error,
        });
      throw error;
    }
  }) as typeof doc.send;

  /** Runs a conditional write: false when its condition did not hold. */
  async function conditional<T>(write: () => Promise<T>): Promise<T | false> {
    try {
      return await write();
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return false;
      throw e;
    }
  }

  /** PutItem under a condition; false when it did not hold. ALL_OLD answers with the item replaced. */
  function conditionalPut(item: Item, condition: Condition | undefined, ReturnValues: "NONE" | "ALL_OLD") {
    const p = new Placeholders();
    const ConditionExpression = condition && conditionExpression(condition, p);
    return conditional(() =>
      send(
        new PutCommand({
          TableName,
          Item: item,
          ReturnValues,
          ...(ConditionExpression && { ConditionExpression }),
          ...p.input(),
        }),
      ),
    );
  }

  return {
    async get(pk) {
      const out = await send(new GetCommand({ TableName, Key: { pk }, ConsistentRead: true }));
      return out.Item as Item | undefined;
    },

    async getMany(pks) {
      const found: Item[] = [];
      for (let i = 0; i < pks.length; i += BATCH_KEYS) {
        let keys: Record<string, unknown>[] = pks.slice(i, i + BATCH_KEYS).map((pk) => ({ pk }));
        for (let attempt = 0; keys.length > 0; attempt++) {
          if (attempt === options.maxAttempts)
            throw new ThrottledError(
              `DynamoDB left ${keys.length} item(s) unread after ${options.maxAttempts} tries`,
            );
          if (attempt > 0) await backoff(attempt);
          const out = await send(new BatchGetCommand({ RequestItems: { [TableName]: { Keys: keys } } }));
          found.push(...((out.Responses?.[TableName] ?? []) as Item[]));
          keys = out.UnprocessedKeys?.[TableName]?.Keys ?? [];
        }
      }
      return found;
    },

    async put(item, condition) {
      return (await conditionalPut(item, condition, "NONE")) !== false;
    },

    async exchange(item, condition) {
      const done = await conditionalPut(item, condition, "ALL_OLD");
      if (done === false) return { written: false };
      return { written: true, ...(done.Attributes && { previous: done.Attributes as Item }) };
    },

    async update(pk, change, condition) {
      const p = new Placeholders();
      const UpdateExpression = updateExpression(change, p);
      const ConditionExpression = condition && conditionExpression(condition, p);
      const out = await conditional(() =>
        send(
          new UpdateCommand({
            TableName,
            Key: { pk },
            UpdateExpression,
            ...(ConditionExpression && { ConditionExpression }),
            ...p.input(),
            ReturnValues: "ALL_NEW",
          }),
        ),
      );
      return out === false ? undefined : ({ pk, ...out.Attributes } as Item);
    },

    async query(index, value, page) {
      const out = await send(
        new QueryCommand({
          TableName,
          IndexName: index,
          KeyConditionExpression: "#k = :k",
          ExpressionAttributeNames: { "#k": hashKeyOf(index) },
          ExpressionAttributeValues: { ":k": value },
          ScanIndexForward: false,
          Limit: page.limit,
          ...(page.after && { ExclusiveStartKey: page.after }),
        }),
      );
      return {
        keys: (out.Items ?? []).map((i) => String(i.pk)),
        ...(out.LastEvaluatedKey && { last: out.LastEvaluatedKey }),
      };
    },
  };
}
