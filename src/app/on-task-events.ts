/**
 * The status handler's core: a batch of "ECS Task State Change" events in, the run ledger updated, and —
 * when a run is final — retries, alerts and the pause check (on-run-final.ts).
 *
 * A bad event is dropped, never reported failed: a malformed event, a task this system did not start, or a
 * task whose run is missing is logged, since delivering it again would fail the same way forever. Ledger and
 * AWS faults report the run's records failed, so that they come again; applying an event is idempotent
 * (stale and duplicate events change nothing), so that is harmless.
 *
 * A task of ours whose run is missing: the launcher creates the run before RunTask, so this is a run lost
 * (expired by TTL, table replaced) or a task started by hand with our startedBy. No placeholder run is
 * made: without the trigger and attempt it would be a run nobody asked for.
 */
import { parseStartedBy } from "../jobspec/requests.ts";
import type { Log } from "../log.ts";
import { type EcsTaskDetail, EcsTaskStateChangeSchema } from "../runs/events.ts";
import { isFinal } from "../runs/model.ts";
import type { BatchRecord } from "../triggers/sqs.ts";
import { onRunFinal, type RunEndDeps } from "./on-run-final.ts";

export type StatusOutcome = "applied" | "unchanged" | "invalid" | "foreign" | "unknown-run";

/** A task definition holds at most 10 containers; far more is not an ECS event, and would not fit a run item. */
export const MAX_CONTAINERS = 100;
/**
 * Reasons are kept to this many characters: ECS writes short ones, and the run is one DynamoDB item (400 KB),
 * so a forged or runaway megabyte-long reason would make every later write of the run fail — forever, since
 * a failed write is retried.
 */
export const MAX_REASON = 1024;

const clamp = (text: string | undefined): string | undefined =>
  text === undefined || text.length <= MAX_REASON
    ? text
    : `${text.slice(0, MAX_REASON)}… (${text.length - MAX_REASON} more characters)`;

function bounded(detail: EcsTaskDetail): EcsTaskDetail {
  const stoppedReason = clamp(detail.stoppedReason);
  return {
    ...detail,
    ...(stoppedReason !== undefined && { stoppedReason }),
    containers: detail.containers.map((c) => {
      const reason = clamp(c.reason);
      return reason === undefined ? c : { ...c, reason };
    }),
  };
}

/** The event, checked; or why it is dropped (logged). */
function parseEvent(deps: { log: Log }, input: unknown): EcsTaskDetail | undefined {
  const parsed = EcsTaskStateChangeSchema.safeParse(input);
  if (parsed.success) return parsed.data.detail;
  const issue = parsed.error.issues[0];
  deps.log.warn("malformed ECS Task State Change dropped", {
    field: issue?.path.map(String).join(".") ?? "",
    problem: issue?.message ?? "invalid",
    eventId: (input as { id?: unknown } | null)?.id,
  });
  return undefined;
}

/** A task state of a run this system started, bounded; or why it is not applied. */
function ownState(
  deps: { log: Log },
  state: EcsTaskDetail,
): { runId: string; detail: EcsTaskDetail } | StatusOutcome {
  const owner = parseStartedBy(state.startedBy);
  if (!owner) {
    // The event rule only sends tasks whose startedBy is ours; anything else is noise, not a fault.
    deps.log.debug("task not started by ecs-jobs; ignored", { taskArn: state.taskArn });
    return "foreign";
  }
  if (state.containers.length > MAX_CONTAINERS) {
    deps.log.warn("task event with more containers than a task can have; dropped", {
      runId: owner.runId,
      taskArn: state.taskArn,
      containers: state.containers.length,
    });
    return "invalid";
  }
  return { runId: owner.runId, detail: bounded(state) };
}

/** Task states of one run, in the order they came, in one ledger write; then the run's end acted on. */
async function applyToRun(deps: RunEndDeps, runId: string, details: EcsTaskDetail[]): Promise<StatusOutcome> {
  const result = await deps.ledger.applyTaskEvents(runId, details);
  if (!result) {
    deps.log.warn("task event for a run the ledger does not have; dropped", {
      runId,
      events: details.length,
      taskArn: details[0]?.taskArn,
      lastStatus: details[0]?.lastStatus,
    });
    return "unknown-run";
  }
  const { run, changed } = result;
  deps.log.appendKeys({ job: run.job });
  if (changed)
    deps.log.info("task events applied", {
      runId: run.runId,
      events: details.length,
      tasks: details.map((d) => `${d.taskArn.split("/").pop()} ${d.lastStatus} v${d.version}`).slice(0, 10),
      status: run.status,
    });
  // Not only when this event made the run final: a retried invocation whose first try failed after the
  // write sees a duplicate, and must still finish the work (claims keep it to once).
  if (isFinal(run.status)) await onRunFinal(deps, run);
  return changed ? "applied" : "unchanged";
}

export interface BatchReport {
  /** Ids whose run could not be changed (a ledger or AWS fault): to be applied again. */
  failed: string[];
  /** The faults that failed them: a caller given one event (not a batch) fails with its fault. */
  faults: unknown[];
  /** How many states (or events) came to each outcome. */
  outcomes: Partial<Record<StatusOutcome, number>>;
}

/**
 * A batch of task state change events (an SQS batch): grouped by run, each run's events applied in one
 * write, in the order they came. Events that can never apply (malformed, not ours, unknown run) are dropped,
 * as singly; when a run's write fails, every record of that run is reported failed, so that those alone
 * come again — applying them again is harmless, as ever.
 */
export function handleTaskStateChangeBatch(
  deps: RunEndDeps,
  records: readonly BatchRecord[],
): Promise<BatchReport> {
  return applyTaskStates(
    deps,
    records.map((r) => ({ id: r.id, state: parseEvent(deps, r.event) })),
  );
}

/**
 * Task states (from events, or as DescribeTasks tells them: reconcile.ts), each run's in one write in the
 * order given, then each run's end acted on. `state` undefined: an event already found malformed.
 */
export async function applyTaskStates(
  deps: RunEndDeps,
  items: readonly { id: string; state: EcsTaskDetail | undefined }[],
): Promise<BatchReport> {
  const report: BatchReport = { failed: [], faults: [], outcomes: {} };
  const count = (o: StatusOutcome, n = 1) => {
    report.outcomes[o] = (report.outcomes[o] ?? 0) + n;
  };
  const byRun = new Map<string, { ids: string[]; details: EcsTaskDetail[] }>();
  for (const item of items) {
    const own = item.state ? ownState(deps, item.state) : "invalid";
    if (typeof own === "string") {
      count(own);
      continue;
    }
    const group = byRun.get(own.runId) ?? { ids: [], details: [] };
    group.ids.push(item.id);
    group.details.push(own.detail);
    byRun.set(own.runId, group);
  }
  for (const [runId, group] of byRun) {
    deps.log.appendKeys({ runId });
    try {
      count(await applyToRun(deps, runId, group.details), group.ids.length);
    } catch (error) {
      deps.log.error("task states not applied; to be applied again", {
        runId,
        states: group.ids.length,
        error: error instanceof Error ? error.name : String(error),
      });
      report.failed.push(...group.ids);
      report.faults.push(error);
    } finally {
      deps.log.removeKeys(["runId", "job"]);
    }
  }
  return report;
}
