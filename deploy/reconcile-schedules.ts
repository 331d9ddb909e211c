/**
 * Makes the schedule group hold exactly the manifest's schedules: creates the missing ones, updates the ones
 * that differ, deletes the ones no job has any more. Idempotent (a second run changes nothing), paginated,
 * bounded in concurrency and retrying throttled calls with backoff, so 1,000 schedules reconcile in seconds
 * without tripping the Scheduler API quotas.
 */
import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  type GetScheduleCommandOutput,
  paginateListSchedules,
  type SchedulerClient,
  UpdateScheduleCommand,
} from "@aws-sdk/client-scheduler";
import {
  activeStartDate,
  type ResolvedTarget,
  type ScheduleEntry,
  type ScheduleManifest,
  SPEC_DISABLED_MARK,
  scheduleRequest,
} from "./schedules.ts";

export interface ReconcileOptions {
  client: SchedulerClient;
  manifest: ScheduleManifest;
  target: ResolvedTarget;
  /** Calls in flight at once (default 8). */
  concurrency?: number;
  /** Attempts per call on throttling and server errors (default 8). */
  maxAttempts?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => Date;
  log?: (message: string) => void;
}

export interface ReconcileResult {
  created: string[];
  updated: string[];
  deleted: string[];
  unchanged: string[];
  /** Enabled in their spec but paused at runtime (pauseAfterFailures): left DISABLED. */
  keptPaused: string[];
}

const RETRYABLE = new Set(["ThrottlingException", "TooManyRequestsException", "InternalServerException"]);

function isRetryable(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
  const status = e?.$metadata?.httpStatusCode ?? 0;
  return RETRYABLE.has(e?.name ?? "") || status === 429 || status >= 500 || Boolean(e?.$retryable);
}

const errorName = (error: unknown): string | undefined => (error as { name?: string })?.name;

export async function withRetry<T>(
  call: () => Promise<T>,
  options: { maxAttempts: number; sleep: (ms: number) => Promise<void> },
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= options.maxAttempts || !isRetryable(error)) throw error;
      // Full jitter: concurrent workers that were throttled together do not come back together.
      await options.sleep(Math.random() * Math.min(20_000, 200 * 2 ** attempt));
    }
  }
}

/**
 * The members ecs-jobs manages, in one comparable form (dates as ISO strings, absent = default, a start date
 * that has passed = none).
 */
function comparable(
  now: Date,
  s: {
    ScheduleExpression?: string | undefined;
    ScheduleExpressionTimezone?: string | undefined;
    State?: string | undefined;
    Description?: string | undefined;
    FlexibleTimeWindow?:
      | { Mode?: string | undefined; MaximumWindowInMinutes?: number | undefined }
      | undefined;
    StartDate?: Date | undefined;
    EndDate?: Date | undefined;
    ActionAfterCompletion?: string | undefined;
    Target?:
      | {
          Arn?: string | undefined;
          RoleArn?: string | undefined;
          Input?: string | undefined;
          RetryPolicy?:
            | { MaximumRetryAttempts?: number | undefined; MaximumEventAgeInSeconds?: number | undefined }
            | undefined;
          DeadLetterConfig?: { Arn?: string | undefined } | undefined;
        }
      | undefined;
  },
): string {
  return JSON.stringify([
    s.ScheduleExpression,
    s.ScheduleExpressionTimezone ?? "UTC",
    s.State,
    s.Description ?? "",
    s.FlexibleTimeWindow?.Mode,
    s.FlexibleTimeWindow?.MaximumWindowInMinutes ?? null,
    activeStartDate(s.StartDate, now)?.toISOString() ?? null,
    s.EndDate ? new Date(s.EndDate).toISOString() : null,
    s.ActionAfterCompletion ?? "NONE",
    s.Target?.Arn,
    s.Target?.RoleArn,
    s.Target?.Input,
    s.Target?.RetryPolicy?.MaximumRetryAttempts ?? null,
    s.Target?.RetryPolicy?.MaximumEventAgeInSeconds ?? null,
    s.Target?.DeadLetterConfig?.Arn ?? null,
  ]);
}

/**
 * The state a deploy should leave: the spec's, except that an enabled job whose schedule was paused at
 * runtime stays paused. A schedule the spec disabled carries SPEC_DISABLED_MARK, so enabling it in the spec
 * enables it again.
 */
export function desiredState(
  entry: ScheduleEntry,
  live: GetScheduleCommandOutput | undefined,
): "ENABLED" | "DISABLED" {
  if (!entry.enabled) return "DISABLED";
  if (live?.State === "DISABLED" && !(live.Description ?? "").endsWith(SPEC_DISABLED_MARK)) return "DISABLED";
  return "ENABLED";
}

async function pool<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (error) {
        errors.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, `${errors.length} schedule operations failed`);
}

export async function reconcileSchedules(options: ReconcileOptions): Promise<ReconcileResult> {
  const { client, manifest, target } = options;
  const retry = {
    maxAttempts: options.maxAttempts ?? 8,
    sleep: options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
  };
  const call = <T>(fn: () => Promise<T>) => withRetry(fn, retry);
  const group = manifest.group;
  const result: ReconcileResult = { created: [], updated: [], deleted: [], unchanged: [], keptPaused: [] };

  const existing = new Set<string>();
  const pages = paginateListSchedules({ client, pageSize: 100 }, { GroupName: group });
  for await (const page of pages) {
    for (const s of page.Schedules ?? []) if (s.Name) existing.add(s.Name);
  }

  const desired = new Map(manifest.schedules.map((e) => [e.name, e]));
  const now = options.now?.() ?? new Date();
  const request = (entry: ScheduleEntry, state: "ENABLED" | "DISABLED") =>
    scheduleRequest(entry, group, target, manifest.retry, state, now);

  const create = async (entry: ScheduleEntry) => {
    try {
      await call(() =>
        client.send(new CreateScheduleCommand(request(entry, desiredState(entry, undefined)))),
      );
      result.created.push(entry.name);
    } catch (error) {
      // Created since the listing (a concurrent deploy): converge on it instead.
      if (errorName(error) !== "ConflictException") throw error;
      await sync(entry);
    }
  };

  const sync = async (entry: ScheduleEntry): Promise<void> => {
    let live: GetScheduleCommandOutput;
    try {
      live = await call(() => client.send(new GetScheduleCommand({ Name: entry.name, GroupName: group })));
    } catch (error) {
      if (errorName(error) === "ResourceNotFoundException") return create(entry);
      throw error;
    }
    const state = desiredState(entry, live);
    if (state === "DISABLED" && entry.enabled) result.keptPaused.push(entry.name);
    const wanted = request(entry, state);
    if (comparable(now, wanted) === comparable(now, live)) {
      result.unchanged.push(entry.name);
      return;
    }
    await call(() => client.send(new UpdateScheduleCommand(wanted)));
    result.updated.push(entry.name);
  };

  const remove = async (name: string) => {
    try {
      await call(() => client.send(new DeleteScheduleCommand({ Name: name, GroupName: group })));
    } catch (error) {
      if (errorName(error) !== "ResourceNotFoundException") throw error;
    }
    result.deleted.push(name);
  };

  type Op = { kind: "sync" | "create"; entry: ScheduleEntry } | { kind: "delete"; name: string };
  const ops: Op[] = [
    ...[...desired.values()].map(
      (entry): Op => ({ kind: existing.has(entry.name) ? "sync" : "create", entry }),
    ),
    ...[...existing].filter((name) => !desired.has(name)).map((name): Op => ({ kind: "delete", name })),
  ];
  await pool(ops, options.concurrency ?? 8, (op) =>
    op.kind === "delete" ? remove(op.name) : op.kind === "create" ? create(op.entry) : sync(op.entry),
  );
  for (const list of Object.values(result)) (list as string[]).sort();
  options.log?.(
    `schedules in ${group}: ${result.created.length} created, ${result.updated.length} updated, ` +
      `${result.deleted.length} deleted, ${result.unchanged.length} unchanged` +
      (result.keptPaused.length
        ? `, ${result.keptPaused.length} kept paused (${result.keptPaused.join(", ")})`
        : ""),
  );
  return result;
}
