/**
 * Counts what AWS would bill a run for, on the real handlers' clients: every command each client sends, by
 * service and operation, and for DynamoDB the writes, reads and capacity units. The capacity is what the
 * table answers to ReturnConsumedCapacity (added to every DynamoDB command that does not ask already):
 * dynalite computes it from item sizes as DynamoDB does (a write is 1 WCU per KB of the larger of the old and
 * new item; a strongly consistent read 1 RCU per 4 KB). Index writes are not in it: see the benchmark.
 */
import type { ConsumedCapacity } from "@aws-sdk/client-dynamodb";

/** The middleware stack of any SDK v3 client (all six share the shape). */
export interface CountableClient {
  middlewareStack: {
    add(
      mw: (
        next: (args: { input: Record<string, unknown> }) => Promise<{ output: unknown }>,
        context: { clientName?: string; commandName?: string },
      ) => (args: { input: Record<string, unknown> }) => Promise<{ output: unknown }>,
      options: { step: "initialize"; name: string; override?: boolean },
    ): void;
  };
}

/** DynamoDB operations that write, and how many item writes each command is (batches count their items). */
const WRITES: Record<string, (input: Record<string, unknown>) => number> = {
  PutItem: () => 1,
  UpdateItem: () => 1,
  DeleteItem: () => 1,
  BatchWriteItem: (i) =>
    Object.values((i.RequestItems ?? {}) as Record<string, unknown[]>).reduce((n, r) => n + r.length, 0),
  TransactWriteItems: (i) => ((i.TransactItems ?? []) as unknown[]).length,
};
const READS: Record<string, (input: Record<string, unknown>) => number> = {
  GetItem: () => 1,
  Query: () => 1,
  Scan: () => 1,
  BatchGetItem: (i) =>
    Object.values((i.RequestItems ?? {}) as Record<string, { Keys?: unknown[] }>).reduce(
      (n, r) => n + (r.Keys?.length ?? 0),
      0,
    ),
  TransactGetItems: (i) => ((i.TransactItems ?? []) as unknown[]).length,
};

export interface Tally {
  /** Commands sent, by `Service.Operation` (e.g. `DynamoDB.PutItem`). */
  calls: Map<string, number>;
  /** DynamoDB item writes and reads (a batch counts its items; a failed conditional write counts too). */
  writes: number;
  reads: number;
  wcu: number;
  rcu: number;
}

export const emptyTally = (): Tally => ({ calls: new Map(), writes: 0, reads: 0, wcu: 0, rcu: 0 });

/** `DynamoDBClient` + `PutItemCommand` → `DynamoDB.PutItem`. */
export const operationName = (clientName: string | undefined, commandName: string | undefined) =>
  `${String(clientName).replace(/Client$/, "")}.${String(commandName).replace(/Command$/, "")}`;

const capacityOf = (c: ConsumedCapacity | ConsumedCapacity[] | undefined): number =>
  (Array.isArray(c) ? c : c ? [c] : []).reduce((n, x) => n + (x.CapacityUnits ?? 0), 0);

/** Adds one command to the tally: its name, and for DynamoDB its item writes/reads and capacity. */
export function record(
  tally: Tally,
  operation: string,
  input: Record<string, unknown>,
  consumed: ConsumedCapacity | ConsumedCapacity[] | undefined,
): void {
  tally.calls.set(operation, (tally.calls.get(operation) ?? 0) + 1);
  const [service, op = ""] = operation.split(".");
  if (service !== "DynamoDB") return;
  const writes = WRITES[op]?.(input) ?? 0;
  const reads = READS[op]?.(input) ?? 0;
  tally.writes += writes;
  tally.reads += reads;
  if (writes > 0) tally.wcu += capacityOf(consumed);
  else tally.rcu += capacityOf(consumed);
}

/**
 * Counts every command `client` sends into `tally` from now on. DynamoDB commands ask for their consumed
 * capacity; a conditional write the table refuses still costs its capacity in AWS, but the error carries
 * none here, so it is counted as 1 WCU.
 */
export function countInto(tally: Tally, client: CountableClient): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = operationName(context.clientName, context.commandName);
      const dynamo = operation.startsWith("DynamoDB.");
      if (dynamo && args.input.ReturnConsumedCapacity === undefined)
        args.input.ReturnConsumedCapacity = "TOTAL";
      try {
        const result = await next(args);
        const out = result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] };
        record(tally, operation, args.input, out?.ConsumedCapacity);
        return result;
      } catch (error) {
        record(tally, operation, args.input, dynamo ? { CapacityUnits: 1 } : undefined);
        throw error;
      }
    },
    { step: "initialize", name: "benchCostCounter", override: true },
  );
}
