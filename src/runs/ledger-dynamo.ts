/**
 * The run ledger in DynamoDB (dynalite locally), laid out as dynamo-table.ts describes. Every write is
 * conditional: a run is created once (`attribute_not_exists`), and a change is a read, a pure merge
 * (applyTaskEvent + withAggregate) and a put that only succeeds if the revision read is still the stored
 * one; a writer that lost the race reads again. Throttling and server errors propagate, so a Lambda
 * invocation fails and is retried (every operation here is idempotent).
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { NotFoundError, StaleWriteError, ValidationError } from "../errors.ts";
import { withAggregate } from "./aggregate.ts";
import { applyTaskEvent } from "./apply-event.ts";
import {
  ACTIVE_KEY,
  claimKey,
  INDEX,
  jobKey,
  RECENT_KEY,
  RUN_TABLE_DEFINITION,
  runKey,
  sortKey,
  TTL_ATTRIBUTE,
} from "./dynamo-table.ts";
import type { RunLedger, RunPage } from "./ledger.ts";
import { isFinal, type Run } from "./model.ts";
import { mergeLaunch } from "./record-launch.ts";

export { RUN_TABLE_DEFINITION };

export interface DynamoLedgerOptions {
  tableName: string;
  retentionDays: number;
  now?: () => Date;
  /** Reads-and-writes tried before a contended change gives up with StaleWriteError. */
  maxWriteAttempts?: number;
}

interface RunItem {
  pk: string;
  rev: number;
  run: Run;
  [TTL_ATTRIBUTE]: number;
}

const isConditionFailure = (e: unknown): boolean =>
  (e as { name?: unknown } | null)?.name === "ConditionalCheckFailedException";

function encodeNext(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key)).toString("base64url") : undefined;
}

function decodeNext(next: string | undefined): Record<string, unknown> | undefined {
  if (next === undefined) return undefined;
  try {
    const key = JSON.parse(Buffer.from(next, "base64url").toString("utf8")) as unknown;
    if (key && typeof key === "object" && !Array.isArray(key)) return key as Record<string, unknown>;
  } catch {}
  throw new ValidationError("next: not a page token this ledger issued", { field: "next" });
}

/** Contended writers back off a little, at random, so that one of them wins each round. */
const backoff = (attempt: number) =>
  new Promise((r) => setTimeout(r, Math.floor(Math.random() * Math.min(50, 2 + attempt * 4))));

export function createDynamoLedger(client: DynamoDBClient, options: DynamoLedgerOptions): RunLedger {
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const TableName = options.tableName;
  const now = options.now ?? (() => new Date());
  const maxAttempts = options.maxWriteAttempts ?? 60;
  const expiry = () => Math.floor(now().getTime() / 1000) + options.retentionDays * 86_400;

  const item = (run: Run, rev: number, expiresAt: number) => {
    const sk = sortKey(run.createdAt, run.runId);
    return {
      pk: runKey(run.runId),
      rev,
      run,
      gsi1pk: jobKey(run.job),
      gsi1sk: sk,
      gsi2pk: RECENT_KEY,
      // Sparse: present only while the run still needs the sweeper.
      ...(!isFinal(run.status) && { activePk: ACTIVE_KEY }),
      [TTL_ATTRIBUTE]: expiresAt,
    };
  };

  async function read(runId: string): Promise<RunItem | undefined> {
    const out = await doc.send(
      new GetCommand({ TableName, Key: { pk: runKey(runId) }, ConsistentRead: true }),
    );
    return out.Item as RunItem | undefined;
  }

  /**
   * Read, change, conditional put; again on a lost race. `change` returns undefined for "nothing to write".
   * Resolves to undefined when the run does not exist.
   */
  async function mutate(
    runId: string,
    change: (run: Run) => Run | undefined,
  ): Promise<{ before: Run; after: Run; changed: boolean } | undefined> {
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const stored = await read(runId);
      if (!stored) return undefined;
      const next = change(stored.run);
      if (next === undefined) return { before: stored.run, after: stored.run, changed: false };
      try {
        await doc.send(
          new PutCommand({
            TableName,
            Item: item(next, stored.rev + 1, stored[TTL_ATTRIBUTE]),
            ConditionExpression: "#rev = :rev",
            ExpressionAttributeNames: { "#rev": "rev" },
            ExpressionAttributeValues: { ":rev": stored.rev },
          }),
        );
        return { before: stored.run, after: next, changed: true };
      } catch (e) {
        if (!isConditionFailure(e)) throw e;
        await backoff(attempt);
      }
    }
    throw new StaleWriteError(`run ${runId}: gave up after ${maxAttempts} concurrent changes`);
  }

  async function query(index: string, keyName: string, key: string, o: { limit?: number; next?: string }) {
    const startKey = decodeNext(o.next);
    const out = await doc.send(
      new QueryCommand({
        TableName,
        IndexName: index,
        KeyConditionExpression: "#k = :k",
        ExpressionAttributeNames: { "#k": keyName },
        ExpressionAttributeValues: { ":k": key },
        ScanIndexForward: false,
        Limit: o.limit ?? 20,
        ...(startKey && { ExclusiveStartKey: startKey }),
      }),
    );
    const next = encodeNext(out.LastEvaluatedKey);
    const page: RunPage = { runs: (out.Items ?? []).map((i) => (i as RunItem).run) };
    return next ? { ...page, next } : page;
  }

  return {
    async create(run) {
      try {
        await doc.send(
          new PutCommand({
            TableName,
            Item: item(run, 0, expiry()),
            ConditionExpression: "attribute_not_exists(pk)",
          }),
        );
        return { run, created: true };
      } catch (e) {
        if (!isConditionFailure(e)) throw e;
        const existing = await read(run.runId);
        // Created and expired (TTL) in between: practically impossible; say so rather than return nothing.
        if (!existing) throw new StaleWriteError(`run ${run.runId} exists but could not be read back`);
        return { run: existing.run, created: false };
      }
    },

    async get(runId) {
      return (await read(runId))?.run;
    },

    listByJob: (job, o = {}) => query(INDEX.byJob, "gsi1pk", jobKey(job), o),
    listRecent: (o = {}) => query(INDEX.recent, "gsi2pk", RECENT_KEY, o),

    async listActive() {
      const runs: Run[] = [];
      let next: string | undefined;
      do {
        const page = await query(INDEX.active, "activePk", ACTIVE_KEY, { limit: 100, ...(next && { next }) });
        runs.push(...page.runs);
        next = page.next;
      } while (next);
      // The index is eventually consistent: a run that just ended may still be listed.
      return runs.filter((r) => !isFinal(r.status));
    },

    async recordLaunch(runId, result) {
      const out = await mutate(runId, (run) => mergeLaunch(run, result));
      if (!out) throw new NotFoundError(`run ${runId}`);
      return out.after;
    },

    async applyTaskEvent(runId, detail) {
      const out = await mutate(runId, (run) => {
        const applied = applyTaskEvent(run, detail);
        return applied === "stale" || applied === "duplicate" ? undefined : withAggregate(applied);
      });
      if (!out) return undefined;
      const becameFinal = out.changed && !isFinal(out.before.status) && isFinal(out.after.status);
      return { run: out.after, changed: out.changed, becameFinal };
    },

    async finish(runId, status, extra = {}) {
      const out = await mutate(runId, (run) => {
        if (isFinal(run.status)) return undefined;
        return {
          ...run,
          status,
          ...(extra.hint !== undefined && { hint: extra.hint }),
          failures: [...run.failures, ...(extra.failures ?? [])],
          ...(!run.stoppedAt && { stoppedAt: now().toISOString() }),
        };
      });
      if (!out) throw new NotFoundError(`run ${runId}`);
      return { run: out.after, changed: out.changed };
    },

    async claimAlert(runId, kind) {
      try {
        await doc.send(
          new PutCommand({
            TableName,
            Item: { pk: claimKey(runId, kind), claimedAt: now().toISOString(), [TTL_ATTRIBUTE]: expiry() },
            // A released claim is marked rather than deleted: the functions' role needs no DeleteItem.
            ConditionExpression: "attribute_not_exists(pk) OR released = :yes",
            ExpressionAttributeValues: { ":yes": true },
          }),
        );
        return true;
      } catch (e) {
        if (isConditionFailure(e)) return false;
        throw e;
      }
    },

    async releaseAlert(runId, kind) {
      await doc.send(
        new UpdateCommand({
          TableName,
          Key: { pk: claimKey(runId, kind) },
          UpdateExpression: "SET released = :yes",
          ExpressionAttributeValues: { ":yes": true },
        }),
      );
    },
  };
}
