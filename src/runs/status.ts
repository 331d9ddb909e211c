/**
 * The status handler's core: one "ECS Task State Change" event in, the run ledger updated, and — when the
 * run is final — retries, alerts and the pause check (finalize.ts).
 *
 * Never throws for a bad event: a malformed event, a task this system did not start, or a task whose run
 * is missing is logged and dropped, since a retry would fail the same way forever. Ledger and AWS faults
 * do throw, so the invocation is retried; applying an event is idempotent (stale and duplicate events
 * change nothing), so a retry is harmless.
 *
 * A task of ours whose run is missing: the launcher creates the run before RunTask, so this is a run lost
 * (expired by TTL, table replaced) or a task started by hand with our startedBy. No placeholder run is
 * made: without the trigger and attempt it would be a run nobody asked for.
 */
import { parseStartedBy } from "../launch/requests.ts";
import { type EcsTaskDetail, EcsTaskStateChangeSchema } from "./events.ts";
import { onRunFinal } from "./finalize.ts";
import { isFinal } from "./model.ts";
import type { RunActionDeps } from "./retry.ts";

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

export async function handleTaskStateChange(deps: RunActionDeps, input: unknown): Promise<StatusOutcome> {
  const parsed = EcsTaskStateChangeSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    deps.log.warn("malformed ECS Task State Change dropped", {
      field: issue?.path.map(String).join(".") ?? "",
      problem: issue?.message ?? "invalid",
      eventId: (input as { id?: unknown } | null)?.id,
    });
    return "invalid";
  }
  return applyTaskState(deps, parsed.data.detail);
}

/**
 * One state of one task — from an event, or as DescribeTasks tells it (reconcile.ts: the two have the same
 * shape and the same `version` counter) — applied to its run, and the run's end acted on.
 */
export async function applyTaskState(deps: RunActionDeps, state: EcsTaskDetail): Promise<StatusOutcome> {
  const owner = parseStartedBy(state.startedBy);
  if (!owner) {
    // The event rule only sends tasks whose startedBy is ours; anything else is noise, not a fault.
    deps.log.debug("task not started by ecs-jobs; ignored", { taskArn: state.taskArn });
    return "foreign";
  }
  deps.log.appendKeys({ runId: owner.runId, ...(owner.job && { job: owner.job }) });
  if (state.containers.length > MAX_CONTAINERS) {
    deps.log.warn("task event with more containers than a task can have; dropped", {
      taskArn: state.taskArn,
      containers: state.containers.length,
    });
    return "invalid";
  }
  const detail = bounded(state);

  const result = await deps.ledger.applyTaskEvent(owner.runId, detail);
  if (!result) {
    deps.log.warn("task event for a run the ledger does not have; dropped", {
      runId: owner.runId,
      taskArn: detail.taskArn,
      lastStatus: detail.lastStatus,
    });
    return "unknown-run";
  }
  const { run, changed } = result;
  deps.log.appendKeys({ job: run.job });
  if (changed)
    deps.log.info("task event applied", {
      runId: run.runId,
      taskArn: detail.taskArn,
      lastStatus: detail.lastStatus,
      version: detail.version,
      status: run.status,
    });
  // Not only when this event made the run final: a retried invocation whose first try failed after the
  // write sees a duplicate, and must still finish the work (claims keep it to once).
  if (isFinal(run.status)) await onRunFinal(deps, run);
  return changed ? "applied" : "unchanged";
}
