/**
 * The run ledger's logic, once, over a storage port (storage.ts): DynamoDB in AWS and dynalite locally
 * (dynamo-storage.ts), memory in tests and benchmarks (gen/memory-storage.ts). Items are laid out as
 * dynamo-table.ts describes. Every write is conditional: a run is created once (`pk` absent), and a change
 * is a pure merge (fold-events.ts, record-launch.ts) of a known revision of the run and a put that only
 * succeeds if that revision is still the stored one; a writer that lost the race reads again.
 *
 * The hot path is at most one write per batch of a run's task events (none for a batch of statuses the run
 * does not record: src/runs/fold-events.ts): each instance (Lambda container) keeps the last revision of
 * each run it read or wrote (cache.ts) and changes a run it knows without reading it first.
 * - A stale copy costs a failed conditional put and a read, never a lost update: the put names the revision.
 * - An event that is stale or a duplicate against the copy needs neither read nor write: the copy is an
 *   earlier revision of the stored run, task versions only grow from one revision to the next, so the event
 *   is stale or a duplicate against the stored run too. (An event of a status not recorded, for a task the
 *   copy knows, is not recorded against the stored run either: tasks are never removed from a run.)
 * - Only changes use the copy; get() and the listings always read the storage.
 * - A claim this instance took and did not release is held, so claiming it again is false without a write.
 *
 * A run of more than 1,000 tasks (task-parts.ts) keeps its tasks in parts of their own, each changed as
 * a run is (a conditional put on its revision, cached the same way), and its item the parts' summaries: a
 * batch of its task events writes the parts it touches, then the run item once, conditional on its revision,
 * so the write that makes the run final is one write, as for a small run.
 */
import { randomUUID } from "node:crypto";
import { NotFoundError, StaleWriteError, ValidationError } from "../errors.ts";
import { withAggregate } from "../runs/aggregate.ts";
import type { EcsTaskDetail } from "../runs/events.ts";
import { foldTaskEvents } from "../runs/fold-events.ts";
import { isFinal, type RanWith, type Run, type RunTransitions, type TaskState } from "../runs/model.ts";
import { combineRan, mergeRan } from "../runs/ran.ts";
import { combineSummaries, EMPTY_SUMMARY, summarizeTasks, type TaskSummary } from "../runs/task-summary.ts";
import { Lru, RunCache, type RunCacheLimits } from "./cache.ts";
import {
  ACTIVE_KEY,
  claimKey,
  jobKey,
  RECENT_KEY,
  runKey,
  slotKey,
  sortKey,
  TTL_ATTRIBUTE,
} from "./dynamo-table.ts";
import { endWorkDone, markEndWork, needsSweeper } from "./end-work.ts";
import type { RunLedger, RunPage } from "./ledger.ts";
import { type LaunchResult, mergeLaunch, mergeLaunchedTasks, mergeLaunchFacts } from "./record-launch.ts";
import { decodeRun, encodeRun } from "./run-codec.ts";
import {
  absent,
  allOf,
  anyOf,
  equals,
  type IndexName,
  type Item,
  lessThan,
  notEquals,
  type Storage,
} from "./storage.ts";
import {
  PART_SIZES,
  type PartSizes,
  type PartSummary,
  partCountFor,
  partKey,
  partOf,
  placeKey,
  storedPartCount,
  type TaskParts,
} from "./task-parts.ts";

export interface RunStoreOptions {
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
  /** Which runs keep their tasks in parts, and how large (task-parts.ts; smaller in tests). */
  taskParts?: PartSizes;
}

/**
 * A container must hold every run whose events it sees before they end, or it reads that run again: the
 * status benchmark has 2,250 runs in flight in one container. A one-task run is ~2 KB here, so the run
 * bound is what applies for ordinary runs; the byte bound (of a 512 MB function) is for many-task runs.
 */
const DEFAULT_CACHE_LIMITS: RunCacheLimits = { runs: 10_000, bytes: 32 * 1024 * 1024 };

/** The run as its item holds it: for a run split in parts (task-parts.ts), with no tasks and their summaries. */
type StoredRun = Run & { taskParts?: TaskParts };

/** A run item as the store knows it: the run, its revision, its expiry. */
interface Known {
  rev: number;
  run: StoredRun;
  expiresAt: number;
}

/**
 * What a part of a split run holds: its tasks, and what its tasks' events say they ran. `ran` is kept with
 * the tasks, in the same conditional put, so that the run item's write that takes a part's summary (and may
 * end the run) takes the image facts of the same events: kept only in the run item, they came with the
 * batch's own run write, which another batch's write ending the run could precede.
 */
interface PartBody {
  tasks: TaskState[];
  ran?: RanWith;
}

/** A part of a split run's tasks as the store knows it. */
interface KnownPart {
  rev: number;
  run: PartBody;
  expiresAt: number;
}

type Encoded = { run?: undefined; runz?: Uint8Array };

const fromItem = (item: Item): Known => ({
  rev: Number(item.rev),
  run: decodeRun<StoredRun>(item as Encoded),
  expiresAt: Number(item[TTL_ATTRIBUTE]),
});

const partFromItem = (item: Item): KnownPart => ({
  rev: Number(item.rev),
  run: decodeRun<PartBody>(item as Encoded),
  expiresAt: Number(item[TTL_ATTRIBUTE]),
});

/** The run without what only its item needs (a split run's parts: their tasks are not in it). */
function plain(run: StoredRun): Run {
  const { taskParts: _parts, ...rest } = run;
  return rest;
}

/** The summary of all of a split run's tasks, from its parts' summaries. */
const summaryOfParts = (parts: TaskParts): TaskSummary =>
  Object.values(parts.at).reduce((sum, p) => combineSummaries(sum, p.tasks), EMPTY_SUMMARY);

/**
 * A split run's status, times, hint and cost from its parts' summaries, and what its tasks ran from its
 * parts' records of that: every write of the run item that takes a part's summary takes its `ran` too, or
 * a part's facts taken by one write (a launch's) would be missed by the write of their own batch, which
 * then finds that part's revision already in the run item and has nothing to write.
 */
function aggregateParts(run: StoredRun): StoredRun {
  if (!run.taskParts) return run;
  const ran = Object.values(run.taskParts.at).reduce((r, p) => combineRan(r, p.ran), run.ran);
  return withAggregate({ ...run, ...(ran && { ran }) }, summaryOfParts(run.taskParts));
}

/** The run with its parts' revisions and summaries `changed` taken where newer; undefined when none is. */
function withParts(
  run: StoredRun,
  changed: readonly (PartSummary & { part: number })[],
): StoredRun | undefined {
  const parts = run.taskParts;
  if (!parts) return undefined;
  const at = { ...parts.at };
  let newer = false;
  for (const p of changed)
    if ((at[p.part]?.rev ?? -1) < p.rev) {
      at[p.part] = { rev: p.rev, tasks: p.tasks, ...(p.ran && { ran: p.ran }) };
      newer = true;
    }
  return newer ? { ...run, taskParts: { count: parts.count, at } } : undefined;
}

/** What the run item keeps of a part at revision `rev`: its tasks' summary and what they ran. */
const partSummary = (part: number, rev: number, body: PartBody): PartSummary & { part: number } => ({
  part,
  rev,
  tasks: summarizeTasks(body.tasks),
  ...(body.ran && { ran: body.ran }),
});

/** Items of `list` grouped by the part their task is in (`placed`: by task ARN). */
function byPart<T>(list: readonly T[], arn: (t: T) => string, placed: Map<string, number>): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const t of list) {
    const n = placed.get(arn(t)) as number;
    groups.set(n, [...(groups.get(n) ?? []), t]);
  }
  return groups;
}

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

export function createRunStore(storage: Storage, options: RunStoreOptions): RunLedger {
  const now = options.now ?? (() => new Date());
  const maxAttempts = options.maxWriteAttempts ?? 60;
  const limits = { ...DEFAULT_CACHE_LIMITS, ...options.cache };
  const cache = new RunCache<StoredRun>(limits);
  const partCache = new RunCache<PartBody>(limits);
  const heldClaims = new Lru<string, true>(limits.runs);
  // A task's part never changes once placed, so a placement seen is good for the run's life; the newest
  // 100,000 (~15 MB of keys) cover the tasks of the few split runs an instance is writing at a time.
  const placements = new Lru<string, number>(100_000);
  const expiry = () => Math.floor(now().getTime() / 1000) + options.retentionDays * 86_400;

  /** `json` is the run's JSON, which the cache keeps too: a write serialises the run once. */
  const item = (run: StoredRun, rev: number, expiresAt: number, json: string): Item => {
    const sk = sortKey(run.createdAt, run.runId);
    return {
      pk: runKey(run.runId),
      rev,
      ...encodeRun(run, json),
      gsi1pk: jobKey(run.job),
      gsi1sk: sk,
      gsi2pk: RECENT_KEY,
      // Sparse: present only while the run still needs the sweeper (not final, or its end-work pending).
      ...(needsSweeper(run) && { activePk: ACTIVE_KEY }),
      [TTL_ATTRIBUTE]: expiresAt,
    };
  };

  async function read(runId: string): Promise<Known | undefined> {
    const stored = await storage.get(runKey(runId));
    const known = stored && fromItem(stored);
    if (known) cache.remember(runId, known);
    else cache.forget(runId);
    return known;
  }

  type Change = (run: StoredRun) => StoredRun | undefined;
  /** A revision to try a change on first: this instance's copy, or one just read (`fresh`). */
  type Start = { known: Known; fresh: boolean };
  const fromCache = (runId: string): Start | undefined => {
    const known = cache.peek(runId);
    return known && { known, fresh: false };
  };
  type Outcome = { before: StoredRun; after: StoredRun; changed: boolean };
  /** Not done: the revision tried is no longer the stored one, or a no-op on a cached copy is not trusted. */
  const AGAIN = Symbol("again");

  /** One try at a change on a known revision: a no-op, or a put conditional on that revision. */
  async function tryChange(
    runId: string,
    known: Known,
    change: Change,
    trustNoop: boolean,
  ): Promise<Outcome | typeof AGAIN> {
    const changed = change(known.run);
    const next = changed && markEndWork(known.run, changed);
    if (next === undefined) {
      if (!trustNoop) return AGAIN;
      return { before: known.run, after: known.run, changed: false };
    }
    const json = JSON.stringify(next);
    let written: boolean;
    try {
      written = await storage.put(item(next, known.rev + 1, known.expiresAt, json), equals("rev", known.rev));
    } catch (e) {
      // An error after which the stored revision is unknown: read next time.
      cache.forget(runId, known.rev);
      throw e;
    }
    if (!written) {
      // Lost a race: read next time.
      cache.forget(runId, known.rev);
      return AGAIN;
    }
    cache.remember(runId, { rev: known.rev + 1, run: next, expiresAt: known.expiresAt }, json);
    // The put was conditional on the revision that was not final: this write, and no other, ended the run.
    if (!isFinal(known.run.status) && isFinal(next.status)) options.transitions?.ended(plain(next));
    return { before: known.run, after: next, changed: true };
  }

  /**
   * Change, conditional put; read and again on a lost race. `change` returns undefined for "nothing to
   * write". It is tried first on the cached revision, if any; a no-op there is final only when
   * `noopFromCache` (see the header: true for task events), otherwise the stored run decides.
   * Resolves to undefined when the run does not exist.
   */
  async function mutate(
    runId: string,
    change: Change,
    noopFromCache = false,
    start?: Start,
  ): Promise<Outcome | undefined> {
    const first = start ?? fromCache(runId);
    if (first) {
      const out = await tryChange(runId, first.known, change, first.fresh || noopFromCache);
      if (out !== AGAIN) return out;
      if (first.fresh) await backoff(0);
    }
    // A revision just read counts as the first attempt.
    for (let attempt = first?.fresh ? 1 : 0; attempt < maxAttempts; attempt++) {
      const stored = await read(runId);
      if (!stored) return undefined;
      const out = await tryChange(runId, stored, change, true);
      if (out !== AGAIN) return out;
      await backoff(attempt);
    }
    throw new StaleWriteError(`run ${runId}: gave up after ${maxAttempts} concurrent changes`);
  }

  /**
   * The runs of these item keys, in their order, split runs with their parts. Eventually consistent, as the
   * index itself is, at half the read cost: the sweeper lists every active run each minute, and what it
   * decides from a listed run is written conditionally on the stored one. A key whose item is gone (TTL
   * deleted it after the index listed it) is skipped.
   */
  async function readRuns(pks: string[]): Promise<Run[]> {
    const found = new Map<string, StoredRun>();
    for (const stored of await storage.getMany(pks))
      found.set(stored.pk, decodeRun<StoredRun>(stored as Encoded));
    const partKeys = [...found.values()].flatMap((r) =>
      Array.from({ length: storedPartCount(r.taskParts) }, (_, n) => partKey(r.runId, n)),
    );
    const parts = new Map<string, TaskState[]>();
    if (partKeys.length > 0)
      for (const p of await storage.getMany(partKeys)) parts.set(p.pk, partFromItem(p).run.tasks);
    return pks.flatMap((pk) => {
      const run = found.get(pk);
      return run ? [assemble(run, (n) => parts.get(partKey(run.runId, n)) ?? [])] : [];
    });
  }

  /** The run as readers see it: a split run with the tasks of each of its parts. */
  function assemble(run: StoredRun, tasksOf: (part: number) => TaskState[]): Run {
    if (!run.taskParts) return run;
    const { taskParts, ...rest } = run;
    return {
      ...rest,
      tasks: Array.from({ length: storedPartCount(taskParts) }, (_, n) => tasksOf(n)).flat(),
    };
  }

  /** A split run whole, its parts read now (`fresh`), or taken from this instance's cache where it has them. */
  async function whole(run: StoredRun, fresh: boolean): Promise<Run> {
    if (!run.taskParts) return run;
    const tasks = await Promise.all(
      Array.from({ length: storedPartCount(run.taskParts) }, async (_, n) => {
        const pk = partKey(run.runId, n);
        const cached = fresh ? undefined : partCache.peek(pk);
        if (cached) return cached.run.tasks;
        const item = await storage.get(pk);
        return item ? partFromItem(item).run.tasks : [];
      }),
    );
    return assemble(run, (n) => tasks[n] ?? []);
  }

  /**
   * One part of a split run changed as a run is: on the cached revision first, a put conditional on it, read
   * and again on a lost race. `change` returns undefined for "nothing to write"; a no-op on a cached copy is
   * taken as final (as for task events: tasks are never removed, and a cached part is an earlier revision).
   * Resolves to the part's revision and summary after, changed or not.
   */
  async function changePart(
    runId: string,
    part: number,
    expiresAt: number,
    change: (body: PartBody) => PartBody | undefined,
  ): Promise<PartSummary & { part: number; changed: boolean }> {
    const pk = partKey(runId, part);
    let known: KnownPart | undefined = partCache.peek(pk);
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      if (!known) {
        const item = await storage.get(pk);
        known = item ? partFromItem(item) : { rev: -1, run: { tasks: [] }, expiresAt };
      }
      const next = change(known.run);
      if (next === undefined) return { ...partSummary(part, known.rev, known.run), changed: false };
      const json = JSON.stringify(next);
      const rev = known.rev + 1;
      let written: boolean;
      try {
        written = await storage.put(
          { pk, rev, ...encodeRun(next, json), [TTL_ATTRIBUTE]: known.expiresAt },
          known.rev < 0 ? absent("pk") : equals("rev", known.rev),
        );
      } catch (e) {
        partCache.forget(pk, known.rev);
        throw e;
      }
      if (written) {
        partCache.remember(pk, { rev, run: next, expiresAt: known.expiresAt }, json);
        return { ...partSummary(part, rev, next), changed: true };
      }
      partCache.forget(pk, known.rev);
      known = undefined;
      await backoff(attempt);
    }
    throw new StaleWriteError(
      `tasks of run ${runId}, part ${part}: gave up after ${maxAttempts} concurrent changes`,
    );
  }

  /**
   * The parts of these tasks: each task's placement item (task-parts.ts), put only if absent with the part
   * `choose` gives it, so that the first writer of a task (its launch, or an event before it) decides its
   * part for every later one, whichever instance. `lookFirst`: read placements before trying to place (for
   * events, whose tasks are almost always placed already by their launch).
   */
  async function placeTasks(
    known: Known,
    arns: readonly string[],
    choose: (arn: string, i: number) => number,
    lookFirst: boolean,
  ): Promise<Map<string, number>> {
    const runId = known.run.runId;
    const placed = new Map<string, number>();
    const open = [...new Set(arns)].filter((arn) => {
      const n = placements.get(placeKey(runId, arn));
      if (n !== undefined) placed.set(arn, n);
      return n === undefined;
    });
    const learn = (arn: string, n: number) => {
      placed.set(arn, n);
      placements.set(placeKey(runId, arn), n);
    };
    if (lookFirst && open.length > 0)
      for (const item of await storage.getMany(open.map((arn) => placeKey(runId, arn))))
        learn(String(item.taskArn), Number(item.part));
    await Promise.all(
      open.map(async (arn, i) => {
        if (placed.has(arn)) return;
        const pk = placeKey(runId, arn);
        const part = choose(arn, i);
        const item = { pk, taskArn: arn, part, [TTL_ATTRIBUTE]: known.expiresAt };
        if (await storage.put(item, absent("pk"))) return learn(arn, part);
        const there = await storage.get(pk);
        // Placed by another writer a moment ago (a strongly consistent read sees it).
        learn(arn, there ? Number(there.part) : part);
      }),
    );
    return placed;
  }

  /** Changes the parts of these tasks (each at most once, concurrently). */
  async function changeParts<T>(
    known: Known,
    list: readonly T[],
    arn: (t: T) => string,
    choose: (arn: string, i: number) => number,
    lookFirst: boolean,
    change: (body: PartBody, mine: T[]) => PartBody | undefined,
  ) {
    const placed = await placeTasks(known, list.map(arn), choose, lookFirst);
    return Promise.all(
      [...byPart(list, arn, placed)].map(([n, mine]) =>
        changePart(known.run.runId, n, known.expiresAt, (body) => change(body, mine)),
      ),
    );
  }

  /** The run item as the store knows it: this instance's copy, or read. */
  async function knownRun(runId: string): Promise<Start | undefined> {
    const cached = fromCache(runId);
    if (cached) return cached;
    const known = await read(runId);
    return known && { known, fresh: true };
  }

  async function query(index: IndexName, key: string, o: { limit?: number; next?: string }) {
    const after = decodeNext(o.next);
    const out = await storage.query(index, key, { limit: o.limit ?? 20, ...(after && { after }) });
    const next = encodeNext(out.last);
    const page: RunPage = { runs: await readRuns(out.keys) };
    return next ? { ...page, next } : page;
  }

  async function applyTaskEvents(runId: string, details: readonly EcsTaskDetail[]) {
    const start = await knownRun(runId);
    if (!start) return undefined;
    if (start.known.run.taskParts) return applySplitTaskEvents(start.known, details);
    const out = await mutate(runId, (run) => foldTaskEvents(run, details), true, start);
    if (!out) return undefined;
    const becameFinal = out.changed && !isFinal(out.before.status) && isFinal(out.after.status);
    return { run: plain(out.after), changed: out.changed, becameFinal };
  }

  /**
   * A batch of a split run's task events: each part folds its tasks' events (no status: that is the run's),
   * then the run item takes the parts' new summaries and is aggregated from all of them, in one write. What
   * the tasks ran (`ran`) fills in from every event, in any order (src/runs/ran.ts), in the part of the
   * event's task (PartBody says why), and the run item's from its parts'.
   */
  async function applySplitTaskEvents(known: Known, details: readonly EcsTaskDetail[]) {
    const runId = known.run.runId;
    const count = known.run.taskParts?.count ?? 1;
    const parts = await changeParts(
      known,
      details,
      (d) => d.taskArn,
      // A task not yet placed by its launch: one of the unplaced parts, after the launch parts.
      (arn) => count + partOf(arn, count),
      true,
      (body, mine) => {
        const tasks = foldTaskEvents({ ...known.run, tasks: body.tasks }, mine, (r) => r)?.tasks;
        const ran = mine.reduce((r, d) => mergeRan(r, d), body.ran);
        if (!tasks && ran === body.ran) return undefined;
        return { tasks: tasks ?? body.tasks, ...(ran && { ran }) };
      },
    );
    const out = await mutate(
      runId,
      (run) => {
        // The run item already holds each part's `ran` at the revision it holds that part's summary of.
        const next = withParts(run, parts);
        return next && aggregateParts(next);
      },
      true,
    );
    if (!out) return undefined;
    const becameFinal = out.changed && !isFinal(out.before.status) && isFinal(out.after.status);
    const changed = out.changed || parts.some((p) => p.changed);
    // Whole only once final (what the status handler then acts on): reassembled after every batch of a
    // 10,000-task run's events, the run cost a parse of every part each time, quadratic over the run
    // (16 s of 262 s CPU in a 5,000-task wall-clock fan-out).
    const final = isFinal(out.after.status);
    return { run: final ? await whole(out.after, true) : plain(out.after), changed, becameFinal };
  }

  /**
   * A split run's launch answer: the tasks into their parts, then the rest, and the parts' summaries. The
   * run is read whole only if `allTasks`; otherwise it comes back with the tasks of no part (its status,
   * progress and failures are the run item's).
   */
  async function recordSplitLaunch(known: Known, result: LaunchResult, allTasks: boolean) {
    const count = known.run.taskParts?.count ?? 1;
    const size = options.taskParts?.size ?? PART_SIZES.size;
    // Tasks fill the parts in launch order: a batch writes the part filling now (two at a boundary), not
    // most parts as a hash of the ARN would. Tasks known so far are those of the parts this run item holds;
    // a stale count only puts a batch in an earlier part, which then holds a few more than `size`.
    const before = Object.values(known.run.taskParts?.at ?? {}).reduce((n, p) => n + p.tasks.tasks, 0);
    const parts = await changeParts(
      known,
      result.tasks,
      (t) => t.taskArn,
      (_, i) => Math.min(count - 1, Math.floor((before + i) / size)),
      false,
      (body, mine) => {
        const tasks = mergeLaunchedTasks(body.tasks, mine);
        return JSON.stringify(tasks) === JSON.stringify(body.tasks) ? undefined : { ...body, tasks };
      },
    );
    const out = await mutate(known.run.runId, (run) => {
      const facts = mergeLaunchFacts(run, result);
      const withoutParts = aggregateParts(facts);
      const next = aggregateParts(withParts(facts, parts) ?? facts);
      // The parts' new summaries may hold task events whose own run write has not come yet: ending the run
      // here would leave that write, and so the status handler, without its becameFinal. The events' write
      // brings those summaries; the launch ends the run only by what it says itself (RunTask failures).
      return isFinal(next.status) && !isFinal(withoutParts.status) && !isFinal(run.status)
        ? withoutParts
        : next;
    });
    if (!out) return undefined;
    return allTasks ? whole(out.after, false) : plain(out.after);
  }

  /** The job's slot item naming `runId` as its holder until `until`. */
  const slotItem = (job: string, runId: string, until: Date): Item => ({
    pk: slotKey(job),
    holder: runId,
    until: until.toISOString(),
    [TTL_ATTRIBUTE]: expiry(),
  });

  return {
    async create(run) {
      const expiresAt = expiry();
      const parts = run.tasks.length === 0 ? partCountFor(run.expectedTasks, options.taskParts) : 0;
      const marked = markEndWork(undefined, run);
      const stored: StoredRun = parts > 0 ? { ...marked, taskParts: { count: parts, at: {} } } : marked;
      const json = JSON.stringify(stored);
      if (await storage.put(item(stored, 0, expiresAt, json), absent("pk"))) {
        cache.remember(run.runId, { rev: 0, run: stored, expiresAt }, json);
        options.transitions?.created(run);
        if (isFinal(run.status)) options.transitions?.ended(run);
        return { run, created: true };
      }
      const existing = await read(run.runId);
      // Created and expired (TTL) in between: practically impossible; say so rather than return nothing.
      if (!existing) throw new StaleWriteError(`run ${run.runId} exists but could not be read back`);
      return { run: await whole(existing.run, true), created: false };
    },

    async get(runId) {
      const known = await read(runId);
      return known && whole(known.run, true);
    },

    listByJob: (job, o = {}) => query("byJob", jobKey(job), o),
    listRecent: (o = {}) => query("recent", RECENT_KEY, o),

    async listActive() {
      const runs: Run[] = [];
      let next: string | undefined;
      do {
        const page = await query("active", ACTIVE_KEY, { limit: 100, ...(next && { next }) });
        runs.push(...page.runs);
        next = page.next;
      } while (next);
      // The index is eventually consistent: a run that just ended (or its end-work) may still be listed.
      return runs.filter(needsSweeper);
    },

    async recordLaunch(runId, result, o = {}) {
      const start = await knownRun(runId);
      const out = start?.known.run.taskParts
        ? await recordSplitLaunch(start.known, result, o.allTasks !== false)
        : (await mutate(runId, (run) => mergeLaunch(run, result), false, start))?.after;
      if (!out) throw new NotFoundError(`run ${runId}`);
      return out;
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
      return { run: await whole(out.after, true), changed: out.changed };
    },

    async endWorkDone(runId) {
      await mutate(runId, endWorkDone);
    },

    async claimAlert(runId, kind) {
      const key = claimKey(runId, kind);
      // Only the claimer releases a claim (after its work failed), so one this instance holds is still held.
      if (heldClaims.get(key)) return false;
      const claimed = await storage.put(
        { pk: key, claimedAt: now().toISOString(), [TTL_ATTRIBUTE]: expiry() },
        // A released claim is marked rather than deleted: the functions' role needs no DeleteItem.
        anyOf(absent("pk"), equals("released", true)),
      );
      // Held by another instance: not remembered, as that one may release it for a retry to claim here.
      if (claimed) heldClaims.set(key, true);
      return claimed;
    },

    async claimChannels(runId, kind, channels) {
      const key = claimKey(runId, kind);
      const wanted = channels.filter((c) => !heldClaims.get(`${key}\n${c}`));
      if (wanted.length === 0) return [];
      // Each channel not claimed yet takes this call's token; the channels holding it afterwards are ours.
      // One write for all of them: a failed run's alert on EventBridge and SNS is one write, not two.
      const token = randomUUID();
      const after = await storage.update(
        key,
        {
          setIfAbsent: {
            ...Object.fromEntries(wanted.map((c) => [channelAttribute(c), token])),
            [TTL_ATTRIBUTE]: expiry(),
          },
        },
        // An item of the layout before channels (one item per channel, `claimedAt`) holds them all.
        anyOf(absent("claimedAt"), equals("released", true)),
      );
      const got = wanted.filter((c) => after?.[channelAttribute(c)] === token);
      for (const c of got) heldClaims.set(`${key}\n${c}`, true);
      return got;
    },

    async releaseChannel(runId, kind, channel) {
      const key = claimKey(runId, kind);
      heldClaims.delete(`${key}\n${channel}`);
      await storage.update(key, { remove: [channelAttribute(channel)] });
    },

    async releaseAlert(runId, kind) {
      // Forgotten before the write: if the write fails after taking effect, the next claim still asks.
      heldClaims.delete(claimKey(runId, kind));
      await storage.update(claimKey(runId, kind), { set: { released: true } });
    },

    async claimJobSlot(job, runId, { now: at, until }) {
      const take = (condition: Parameters<Storage["put"]>[1]) =>
        storage.put(slotItem(job, runId, until), condition);
      let holder = "";
      // Each round either takes the slot or finds who holds it; a lost race (another trigger took it between
      // the read and the write) goes round again.
      for (let attempt = 0; attempt < 5; attempt++) {
        if (await take(anyOf(absent("pk"), equals("holder", runId), lessThan("until", at.toISOString()))))
          return { taken: true as const };
        const slot = await storage.get(slotKey(job));
        holder = String(slot?.holder ?? "");
        const held = holder ? await read(holder) : undefined;
        if (held && !isFinal(held.run.status)) return { taken: false as const, holder };
        if (await take(allOf(equals("holder", holder), equals("until", String(slot?.until ?? "")))))
          return { taken: true as const };
      }
      return { taken: false as const, holder };
    },

    async takeJobSlot(job, runId, { until }) {
      // One atomic exchange: the write answers with the item it replaced, and writes to one item apply one at a
      // time, so each of N simultaneous triggers gets a distinct predecessor in one call. A read then a write
      // conditional on what was read cost O(N²) calls under contention (~620 for 20 triggers), which on a
      // loaded machine ran a POST past the function's 30 s. The condition only keeps a trigger that holds the
      // slot already (a redelivery) from naming itself its own predecessor.
      const out = await storage.exchange(
        slotItem(job, runId, until),
        anyOf(absent("pk"), notEquals("holder", runId)),
      );
      const previous = out.written ? out.previous?.holder : undefined;
      return typeof previous === "string" && previous !== "" ? { previous } : {};
    },
  };
}
