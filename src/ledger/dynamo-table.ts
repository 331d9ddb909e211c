/**
 * The run table's layout, shared by the ledger, the deploy (serverless.yml) and the local stack (dynalite):
 *
 * - run items: `pk = RUN#<runId>`, the run in `run`, a revision `rev` for optimistic concurrency;
 * - `byJob` (gsi1pk = JOB#<job>, gsi1sk = <createdAt>#<runId>): a job's runs, newest first;
 * - `recent` (gsi2pk = RUN, same sort key): every run, newest first;
 * - `active` (activePk = ACTIVE, same sort key): sparse — the attribute exists only while the run is not
 *   final, so the sweeper reads only the runs that still need it;
 * - the indexes hold keys only: a run's item is rewritten on every task event, and an index projecting it
 *   would copy each rewrite (of up to ~400 KB for a many-task run) into every index the run is in; keys
 *   change at most twice a run (created; `activePk` removed when final), so the indexes are written that
 *   often, in items of a few bytes — which also keeps the single `recent` partition far from its limit;
 *   listings read the runs themselves from the table (BatchGetItem);
 * - claim items: `pk = CLAIM#<runId>#<kind>`, one per alert or action taken once per run; an alert's item
 *   holds an attribute per channel claimed (`channel_<name>`), so that all its channels cost one write
 *   (items written before that hold `claimedAt` and count as every channel claimed);
 * - `expiresAt` (epoch seconds) on every item: DynamoDB TTL deletes runs after the retention.
 */

export const TTL_ATTRIBUTE = "expiresAt";

export const INDEX = { byJob: "byJob", recent: "recent", active: "active" } as const;

/** The parts of CreateTableInput the ledger decides, plus its TTL attribute. */
export const RUN_TABLE_DEFINITION = {
  KeySchema: [{ AttributeName: "pk", KeyType: "HASH" as const }],
  AttributeDefinitions: [
    { AttributeName: "pk", AttributeType: "S" as const },
    { AttributeName: "gsi1pk", AttributeType: "S" as const },
    { AttributeName: "gsi1sk", AttributeType: "S" as const },
    { AttributeName: "gsi2pk", AttributeType: "S" as const },
    { AttributeName: "activePk", AttributeType: "S" as const },
  ],
  GlobalSecondaryIndexes: [
    {
      IndexName: INDEX.byJob,
      KeySchema: [
        { AttributeName: "gsi1pk", KeyType: "HASH" as const },
        { AttributeName: "gsi1sk", KeyType: "RANGE" as const },
      ],
      Projection: { ProjectionType: "KEYS_ONLY" as const },
    },
    {
      IndexName: INDEX.recent,
      KeySchema: [
        { AttributeName: "gsi2pk", KeyType: "HASH" as const },
        { AttributeName: "gsi1sk", KeyType: "RANGE" as const },
      ],
      Projection: { ProjectionType: "KEYS_ONLY" as const },
    },
    {
      IndexName: INDEX.active,
      KeySchema: [
        { AttributeName: "activePk", KeyType: "HASH" as const },
        { AttributeName: "gsi1sk", KeyType: "RANGE" as const },
      ],
      Projection: { ProjectionType: "KEYS_ONLY" as const },
    },
  ],
  ttlAttribute: TTL_ATTRIBUTE,
};

export const runKey = (runId: string): string => `RUN#${runId}`;
export const jobKey = (job: string): string => `JOB#${job}`;
export const claimKey = (runId: string, kind: string): string => `CLAIM#${runId}#${kind}`;
/** The job's one run slot under `concurrency: forbid` (no index keys: never listed). */
export const slotKey = (job: string): string => `SLOT#${job}`;
export const RECENT_KEY = "RUN";
export const ACTIVE_KEY = "ACTIVE";
export const sortKey = (createdAt: string, runId: string): string => `${createdAt}#${runId}`;
