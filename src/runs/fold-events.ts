/**
 * Several task states applied to a run in one go, exactly as one after the other: each is merged by its
 * version (stale and duplicate ones change nothing) and the run's status is derived again after each, so a
 * batch ends where the same events delivered singly would.
 */
import { withAggregate } from "./aggregate.ts";
import { applyTaskEvent } from "./apply-event.ts";
import type { EcsTaskDetail } from "./events.ts";
import type { Run } from "./model.ts";

/**
 * The task statuses a run records; events of any other status are not applied (and so cost no ledger
 * write: a Fargate task's 8 events become 3 writes). What reads a task — the run's status (aggregate.ts:
 * started, STOPPED), hints, retry conditions and alerts (stop code and reason, exit codes, once STOPPED),
 * cost (pull start, stop), the dashboard's timeline (PROVISIONING from the launch, PENDING, RUNNING,
 * STOPPED), `runs`, the API and the sweeper (STOPPED or not) — reads nothing that only ACTIVATING,
 * DEACTIVATING, STOPPING or DEPROVISIONING carry: an ECS event holds the whole task, so the next recorded
 * status (RUNNING after ACTIVATING, STOPPED after the other three) repeats every fact they had. PROVISIONING
 * adds nothing to what the launcher recorded from RunTask's answer (the task ARN, PROVISIONING). A task the
 * run does not know yet is always recorded, whatever the status: when the launcher died between RunTask and
 * recording its answer, that event is how the sweeper learns of the task it must stop.
 * The price: for those seconds `GET /runs/{id}` shows a task one status behind ECS (the run's own status is
 * unaffected); `ecs-jobs run --wait` asks ECS itself (follow-run.ts).
 */
export const RECORDED_TASK_STATUSES: ReadonlySet<string> = new Set(["PENDING", "RUNNING", "STOPPED"]);

/**
 * The run after `details`, or undefined when none of them changes it. `aggregate` derives the run's status
 * after each change; the run store passes none (identity) for a part of a run's tasks stored apart, whose
 * run it aggregates from every part's summary instead (src/ledger/part-summaries.ts).
 */
export function foldTaskEvents(
  run: Run,
  details: readonly EcsTaskDetail[],
  aggregate: (run: Run) => Run = withAggregate,
): Run | undefined {
  let current = run;
  let changed = false;
  for (const detail of details) {
    const known = current.tasks.some((t) => t.taskArn === detail.taskArn);
    if (known && !RECORDED_TASK_STATUSES.has(detail.lastStatus)) continue;
    const applied = applyTaskEvent(current, detail);
    if (applied === "stale" || applied === "duplicate") continue;
    current = aggregate(applied);
    changed = true;
  }
  return changed ? current : undefined;
}
