/**
 * The run ledger in DynamoDB (dynalite locally), laid out as dynamo-table.ts describes. Every write is
 * conditional: a run is created once (`attribute_not_exists`), and a change is a pure merge
 * (applyTaskEvent + withAggregate) of a known revision of the run and a put that only succeeds if that
 * revision is still the stored one; a writer that lost the race reads again. Throttling and server errors
 * propagate, so a Lambda invocation fails and is retried (every operation here is idempotent).
 *
 * The hot path is at most one write per batch of a run's task events (none for a batch of statuses the run
 * does not record: src/runs/fold-events.ts): each instance (Lambda container) keeps the last revision of
 * each run it read or wrote (cache.ts) and changes a run it knows without reading it first.
 * - A stale copy costs a failed conditional put and a read, never a lost update: the put names the revision.
 * - An event that is stale or a duplicate against the copy needs neither read nor write: the copy is an
 *   earlier revision of the stored run, task versions only grow from one revision to the next, so the event
 *   is stale or a duplicate against the stored run too. (An event of a status not recorded, for a task the
 *   copy knows, is not recorded against the stored run either: tasks are never removed from a run.)
 * - Only changes use the copy; get() and the listings always read the table.
 * - A claim this instance took and did not release is held, so claiming it again is false without a write.
 */
import { randomUUID } from "node:crypto";
import { type DynamoDBClient, ResourceNotFoundException } from "@aws-sdk/client-dynamodb";
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import {
  MissingResourceError,
  NotFoundError,
  StaleWriteError,
  ThrottledError,
  ValidationError,
} from "../errors.ts";
import type { EcsTaskDetail } from "../runs/events.ts";
import { foldTaskEvents } from "../runs/fold-events.ts";
import type { RunTransitions } from "../runs/model.ts";
import { isFinal, type Run } from "../runs/model.ts";
import { Lru, RunCache, type RunCacheLimits } from "./cache.ts";
import {
  ACTIVE_KEY,
  claimKey,
  INDEX,
  jobKey,
  RECENT_KEY,
  RUN_TABLE_DEFINITION,
  runKey,
  slotKey,
  sortKey,
  TTL_ATTRIBUTE,
} from "./dynamo-table.ts";
import type { RunLedger, RunPage } from "./ledger.ts";
import { mergeLaunch } from "./record-launch.ts";
import { decodeRun, encodeRun } from "./run-codec.ts";

export { RUN_TABLE_DEFINITION };

export interface DynamoLedgerOptions {
  tableName: string;
  retentionDays: number;
  now?: () => Date;
  /** Reads-and-writes tried before a contended change gives up with StaleWriteError. */
  maxWriteAttempts?: number;
  /**
   * Bounds of the per-instance cache (cache.ts): runs (and, separately, claims) remembered, and the
   * bytes of the runs. `runs: 0` turns it off: every change reads first.
   */
  cache?: Partial<RunCacheLimits>;
  /** Told of each run created and each run made final, by the write that did it (metrics). */
  transitions?: RunTransitions;
}

/**
 * A container must hold every run whose events it sees before they end, or it reads that run again: the
 * status benchmark has 2,250 runs in flight in one container. A one-task run is ~2 KB here, so the run
 * bound is what applies for ordinary runs; the byte bound (of a 512 MB function) is for many-task runs.
 */
export const DEFAULT_CACHE_LIMITS: RunCacheLimits = { runs: 10_000, bytes: 32 * 1024 * 1024 };

interface RunItem {
  pk: string;
  rev: number;
  run: Run;
  [TTL_ATTRIBUTE]: number;
}

/** The item as stored: the run inline, or compressed when large (src/ledger/run-codec.ts). */
type StoredItem = Omit<RunItem, "run"> & { run?: Run; runz?: Uint8Array };

const fromStored = (stored: StoredItem): RunItem => ({ ...stored, run: decodeRun(stored) });

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

/** The attribute of an alert's claim item that holds one channel's claim (dynamo-table.ts). */
const channelAttribute = (channel: string) => `channel_${channel}`;

/** Contended writers back off a little, at random, so that one of them wins each round. */
const backoff = (attempt: number) =>
  new Promise((r) => setTimeout(r, Math.floor(Math.random() * Math.min(50, 2 + attempt * 4))));

export function createDynamoLedger(client: DynamoDBClient, options: DynamoLedgerOptions): RunLedger {
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
  const now = options.now ?? (() => new Date());
  const maxAttempts = options.maxWriteAttempts ?? 60;
  const limits = { ...DEFAULT_CACHE_LIMITS, ...options.cache };
  const cache = new RunCache<Run>(limits);
  const heldClaims = new Lru<string, true>(limits.runs);
  const expiry = () => Math.floor(now().getTime() / 1000) + options.retentionDays * 86_400;

  /** `json` is the run's JSON, which the cache keeps too: a write serialises the run once. */
  const item = (run: Run, rev: number, expiresAt: number, json: string) => {
    const sk = sortKey(run.createdAt, run.runId);
    return {
      pk: runKey(run.runId),
      rev,
      ...encodeRun(run, json),
      gsi1pk: jobKey(run.job),
      gsi1sk: sk,
      gsi2pk: RECENT_KEY,
      // Sparse: present only while the run still needs the sweeper.
      ...(!isFinal(run.status) && { activePk: ACTIVE_KEY }),
      [TTL_ATTRIBUTE]: expiresAt,
    };
  };

  async function read(runId: string): Promise<RunItem | undefined> {
    const out = await send(new GetCommand({ TableName, Key: { pk: runKey(runId) }, ConsistentRead: true }));
    const stored = out.Item ? fromStored(out.Item as StoredItem) : undefined;
    if (stored) cache.remember(runId, { rev: stored.rev, run: stored.run, expiresAt: stored[TTL_ATTRIBUTE] });
    else cache.forget(runId);
    return stored;
  }

  type Change = (run: Run) => Run | undefined;
  type Outcome = { before: Run; after: Run; changed: boolean };
  /** Not done: the revision tried is no longer the stored one, or a no-op on a cached copy is not trusted. */
  const AGAIN = Symbol("again");

  /** One try at a change on a known revision: a no-op, or a put conditional on that revision. */
  async function tryChange(
    runId: string,
    known: { rev: number; run: Run; expiresAt: number },
    change: Change,
    trustNoop: boolean,
  ): Promise<Outcome | typeof AGAIN> {
    const next = change(known.run);
    if (next === undefined) {
      if (!trustNoop) return AGAIN;
      return { before: known.run, after: known.run, changed: false };
    }
    const json = JSON.stringify(next);
    try {
      await send(
        new PutCommand({
          TableName,
          Item: item(next, known.rev + 1, known.expiresAt, json),
          ConditionExpression: "#rev = :rev",
          ExpressionAttributeNames: { "#rev": "rev" },
          ExpressionAttributeValues: { ":rev": known.rev },
        }),
      );
    } catch (e) {
      // Lost a race, or an error after which the stored revision is unknown: either way, read next time.
      cache.forget(runId, known.rev);
      if (!isConditionFailure(e)) throw e;
      return AGAIN;
    }
    cache.remember(runId, { rev: known.rev + 1, run: next, expiresAt: known.expiresAt }, json);
    // The put was conditional on the revision that was not final: this write, and no other, ended the run.
    if (!isFinal(known.run.status) && isFinal(next.status)) options.transitions?.ended(next);
    return { before: known.run, after: next, changed: true };
  }

  /**
   * Change, conditional put; read and again on a lost race. `change` returns undefined for "nothing to
   * write". It is tried first on the cached revision, if any; a no-op there is final only when
   * `noopFromCache` (see the header: true for task events), otherwise the stored run decides.
   * Resolves to undefined when the run does not exist.
   */
  async function mutate(runId: string, change: Change, noopFromCache = false): Promise<Outcome | undefined> {
    const cached = cache.peek(runId);
    if (cached) {
      const out = await tryChange(runId, cached, change, noopFromCache);
      if (out !== AGAIN) return out;
    }
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const stored = await read(runId);
      if (!stored) return undefined;
      const known = { rev: stored.rev, run: stored.run, expiresAt: stored[TTL_ATTRIBUTE] };
      const out = await tryChange(runId, known, change, true);
      if (out !== AGAIN) return out;
      await backoff(attempt);
    }
    throw new StaleWriteError(`run ${runId}: gave up after ${maxAttempts} concurrent changes`);
  }

  /** BatchGetItem's most keys a call. */
  const BATCH_KEYS = 100;

  /**
   * The runs of these item keys, in their order, read from the table. Eventually consistent, as the index
   * itself is, at half the read cost: the sweeper lists every active run each minute, and what it decides
   * from a listed run is written conditionally on the stored one. A key whose item is gone
   * (TTL deleted it after the index listed it) is skipped; keys DynamoDB leaves unprocessed (throttling, or
   * over 16 MB an answer) are asked for again.
   */
  async function readRuns(pks: string[]): Promise<Run[]> {
    const found = new Map<string, Run>();
    for (let i = 0; i < pks.length; i += BATCH_KEYS) {
      let keys: Record<string, unknown>[] = pks.slice(i, i + BATCH_KEYS).map((pk) => ({ pk }));
      for (let attempt = 0; keys.length > 0; attempt++) {
        if (attempt === maxAttempts)
          throw new ThrottledError(`DynamoDB left ${keys.length} run(s) unread after ${maxAttempts} tries`);
        if (attempt > 0) await backoff(attempt);
        const out = await send(new BatchGetCommand({ RequestItems: { [TableName]: { Keys: keys } } }));
        for (const stored of out.Responses?.[TableName] ?? [])
          found.set(String(stored.pk), decodeRun(stored as StoredItem));
        keys = out.UnprocessedKeys?.[TableName]?.Keys ?? [];
      }
    }
    return pks.flatMap((pk) => found.get(pk) ?? []);
  }

  async function query(index: string, keyName: string, key: string, o: { limit?: number; next?: string }) {
    const startKey = decodeNext(o.next);
    const out = await send(
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
    const page: RunPage = { runs: await readRuns((out.Items ?? []).map((i) => String(i.pk))) };
    return next ? { ...page, next } : page;
  }

  async function applyTaskEvents(runId: string, details: readonly EcsTaskDetail[]) {
    const out = await mutate(runId, (run) => foldTaskEvents(run, details), true);
    if (!out) return undefined;
    const becameFinal = out.changed && !isFinal(out.before.status) && isFinal(out.after.status);
    return { run: out.after, changed: out.changed, becameFinal };
  }

  return {
    async create(run) {
      const expiresAt = expiry();
      const json = JSON.stringify(run);
      try {
        await send(
          new PutCommand({
            TableName,
            Item: item(run, 0, expiresAt, json),
            ConditionExpression: "attribute_not_exists(pk)",
          }),
        );
        cache.remember(run.runId, { rev: 0, run, expiresAt }, json);
        options.transitions?.created(run);
        if (isFinal(run.status)) options.transitions?.ended(run);
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

    applyTaskEvents,

    async finish(runId, status, extra = {}) {
      const out = await mutate(runId, (run) => {
        if (isFinal(run.status)) return undefined;
        return {
          ...run,
          status,
          ...(extra.hint !== undefined && { hint: extra.hint }),
          ...(extra.cancelledBy !== undefined && { cancelledBy: extra.cancelledBy }),
          failures: [...run.failures, ...(extra.failures ?? [])],
          ...(!run.stoppedAt && { stoppedAt: now().toISOString() }),
        };
      });
      if (!out) throw new NotFoundError(`run ${runId}`);
      return { run: out.after, changed: out.changed };
    },

    async claimAlert(runId, kind) {
      const key = claimKey(runId, kind);
      // Only the claimer releases a claim (after its work failed), so one this instance holds is still held.
      if (heldClaims.get(key)) return false;
      try {
        await send(
          new PutCommand({
            TableName,
            Item: { pk: key, claimedAt: now().toISOString(), [TTL_ATTRIBUTE]: expiry() },
            // A released claim is marked rather than deleted: the functions' role needs no DeleteItem.
            ConditionExpression: "attribute_not_exists(pk) OR released = :yes",
            ExpressionAttributeValues: { ":yes": true },
          }),
        );
        heldClaims.set(key, true);
        return true;
      } catch (e) {
        // Held by another instance: not remembered, as that one may release it for a retry to claim here.
        if (isConditionFailure(e)) return false;
        throw e;
      }
    },

    async claimChannels(runId, kind, channels) {
      const key = claimKey(runId, kind);
      const wanted = channels.filter((c) => !heldClaims.get(`${key}\n${c}`));
      if (wanted.length === 0) return [];
      // Each channel not claimed yet takes this call's token; the channels holding it afterwards are ours.
      // One UpdateItem for all of them: a failed run's alert on EventBridge and SNS is one write, not two.
      const token = randomUUID();
      const names = Object.fromEntries(wanted.map((c, i) => [`#c${i}`, channelAttribute(c)]));
      try {
        const out = await send(
          new UpdateCommand({
            TableName,
            Key: { pk: key },
            UpdateExpression: `SET ${wanted.map((_, i) => `#c${i} = if_not_exists(#c${i}, :token)`).join(", ")}, #ttl = if_not_exists(#ttl, :ttl)`,
            // An item of the layout before channels (one item per channel, `claimedAt`) holds them all.
            ConditionExpression: "attribute_not_exists(claimedAt) OR released = :yes",
            ExpressionAttributeNames: { ...names, "#ttl": TTL_ATTRIBUTE },
            ExpressionAttributeValues: { ":token": token, ":ttl": expiry(), ":yes": true },
            ReturnValues: "ALL_NEW",
          }),
        );
        const got = wanted.filter((c) => out.Attributes?.[channelAttribute(c)] === token);
        for (const c of got) heldClaims.set(`${key}\n${c}`, true);
        return got;
      } catch (e) {
        if (isConditionFailure(e)) return [];
        throw e;
      }
    },

    async releaseChannel(runId, kind, channel) {
      const key = claimKey(runId, kind);
      heldClaims.delete(`${key}\n${channel}`);
      await send(
        new UpdateCommand({
          TableName,
          Key: { pk: key },
          UpdateExpression: "REMOVE #c",
          ExpressionAttributeNames: { "#c": channelAttribute(channel) },
        }),
      );
    },

    async claimJobSlot(job, runId, { now: at, until }) {
      const pk = slotKey(job);
      const take = (ConditionExpression: string, values: Record<string, string>) =>
        send(
          new PutCommand({
            TableName,
            Item: { pk, holder: runId, until: until.toISOString(), [TTL_ATTRIBUTE]: expiry() },
            ConditionExpression,
            ExpressionAttributeNames: { "#until": "until" },
            ExpressionAttributeValues: values,
          }),
        );
      let holder = "";
      // Each round either takes the slot or finds who holds it; a lost race (another trigger took it between
      // the read and the write) goes round again.
      for (let attempt = 0; attempt < 5; attempt++) {
        try {
          await take("attribute_not_exists(pk) OR holder = :me OR #until < :now", {
            ":me": runId,
            ":now": at.toISOString(),
          });
          return { taken: true as const };
        } catch (e) {
          if (!isConditionFailure(e)) throw e;
        }
        const slot = await send(new GetCommand({ TableName, Key: { pk }, ConsistentRead: true }));
        holder = String(slot.Item?.holder ?? "");
        const held = holder ? await read(holder) : undefined;
        if (held && !isFinal(held.run.status)) return { taken: false as const, holder };
        try {
          await take("holder = :old AND #until = :until", {
            ":old": holder,
            ":until": String(slot.Item?.until ?? ""),
          });
          return { taken: true as const };
        } catch (e) {
          if (!isConditionFailure(e)) throw e;
        }
      }
      return { taken: false as const, holder };
    },

    async takeJobSlot(job, runId, { until }) {
      // One atomic exchange: a put answers with the item it replaced (ALL_OLD), and DynamoDB applies writes to
      // one item one at a time, so each of N simultaneous triggers gets a distinct predecessor in one call. A
      // read then a write conditional on what was read cost O(N²) calls under contention (158 for 20 triggers),
      // which on a loaded machine ran a POST past the function's 30 s. The condition only keeps a trigger that
      // holds the slot already (a redelivery) from naming itself its own predecessor.
      try {
        const out = await send(
          new PutCommand({
            TableName,
            Item: { pk: slotKey(job), holder: runId, until: until.toISOString(), [TTL_ATTRIBUTE]: expiry() },
            ConditionExpression: "attribute_not_exists(pk) OR holder <> :me",
            ExpressionAttributeValues: { ":me": runId },
            ReturnValues: "ALL_OLD",
          }),
        );
        const previous = out.Attributes?.holder;
        return typeof previous === "string" && previous !== "" ? { previous } : {};
      } catch (e) {
        if (isConditionFailure(e)) return {};
        throw e;
      }
    },

    async releaseAlert(runId, kind) {
      // Forgotten before the write: if the write fails after taking effect, the next claim still asks the table.
      heldClaims.delete(claimKey(runId, kind));
      await send(
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
