/**
 * Task events that never arrived, made up for by asking ECS. EventBridge delivers each event at least once,
 * but the status function's asynchronous invocation is given up after its retries (a long DynamoDB
 * throttle, a many-task run whose writers keep losing the race), and then the event is gone: without this,
 * a run whose last STOPPED event was lost stays RUNNING until its timeout and ends TIMED_OUT — or never
 * ends. The sweeper describes the unstopped tasks of each active run that is due and applies each
 * described task as the event it would have been. ECS documents DescribeTasks' `version` as the counter of
 * the task's events, for exactly this comparison, so a state the run already holds is a duplicate and an
 * older one is stale: either changes nothing.
 *
 * The local stack, when it starts again, reconciles every active run at once (`reconcileAllActive`): it
 * was stopped, so any run may have lost events, and a run may even have tasks its ledger never recorded
 * (killed between RunTask's answer and the write): those are found by their startedBy.
 */
import { ClusterNotFoundException } from "@aws-sdk/client-ecs";
import { runTaskStartedBy, startTaskStartedBy } from "../jobspec/requests.ts";
import type { Job } from "../jobspec/schema.ts";
import type { EcsPort } from "../launch/ecs-port.ts";
import { DESCRIBE_MAX, describeTasks, startedByTaskArns } from "../launch/ecs-reads.ts";
import { type EcsTaskDetail, EcsTaskDetailSchema } from "../runs/events.ts";
import { isFinal, type Run } from "../runs/model.ts";
import type { RunEndDeps } from "./on-run-final.ts";
import { applyTaskStates } from "./on-task-events.ts";

const MINUTE = 60_000;

/**
 * When an active run's tasks are described, by the run's age: not before 2 minutes (its events are
 * normally seconds behind), then at every sweep (once a minute) up to 15 minutes, then every 10 minutes,
 * so long-running runs cost ECS a call per run every 10 minutes instead of every minute — and always
 * before a deadline ends the run (`deadlinePassed`), which must not time out tasks that already stopped.
 */
export function dueForReconcile(run: Run, now: Date, deadlinePassed = false): boolean {
  if (!run.tasks.some((t) => t.lastStatus !== "STOPPED")) return false;
  if (deadlinePassed) return true;
  const age = Math.floor((now.getTime() - Date.parse(run.createdAt)) / MINUTE);
  if (!(age >= 2)) return false;
  return age <= 15 || age % 10 === 0;
}

/** `arn:aws:ecs:REGION:ACCOUNT:task/CLUSTER/ID` → CLUSTER (old-format ARNs have no cluster: the job's). */
const clusterOf = (taskArn: string, fallback: string): string => {
  const parts = taskArn.split(":task/")[1]?.split("/");
  return parts && parts.length === 2 && parts[0] ? parts[0] : fallback;
};

export interface ReconcileReport {
  /** Described states written in a change of the run: events that had been lost. */
  applied: number;
  /** Tasks ECS no longer knows (it forgets stopped tasks after about an hour). */
  missing: string[];
}

export interface ReconcileOptions {
  /**
   * Also describe the tasks ECS has under the run's startedBy that the run does not record: a launch cut
   * off between RunTask's answer and its write. The sweeper leaves those to interrupted-launch.ts, which
   * knows from the run's launch progress whether any can exist; a restarted local stack asks.
   */
  unrecorded?: boolean;
}

/** Tasks of the run ECS has under its startedBy that the run does not record; none if the cluster is gone. */
async function unrecordedTasks(deps: Pick<EcsPort, "clients">, cluster: string, run: Run): Promise<string[]> {
  const known = new Set(run.tasks.map((t) => t.taskArn));
  const found: string[] = [];
  try {
    for (const startedBy of [runTaskStartedBy(run.job, run.runId), startTaskStartedBy(run.runId)])
      for (const arn of await startedByTaskArns(deps, cluster, startedBy))
        if (!known.has(arn) && !found.includes(arn)) found.push(arn);
  } catch (error) {
    // A deleted cluster holds no tasks; the tasks the run records are still described (and found missing).
    if (!(error instanceof ClusterNotFoundException)) throw error;
  }
  return found;
}

export async function reconcileRun(
  deps: RunEndDeps,
  job: Job,
  run: Run,
  options: ReconcileOptions = {},
): Promise<ReconcileReport> {
  const report: ReconcileReport = { applied: 0, missing: [] };
  const byCluster = new Map<string, string[]>();
  const add = (cluster: string, arn: string) =>
    byCluster.set(cluster, [...(byCluster.get(cluster) ?? []), arn]);
  for (const t of run.tasks)
    if (t.lastStatus !== "STOPPED") add(clusterOf(t.taskArn, job.spec.task.cluster), t.taskArn);
  if (options.unrecorded)
    for (const arn of await unrecordedTasks(deps, job.spec.task.cluster, run))
      add(job.spec.task.cluster, arn);
  const states: { id: string; state: EcsTaskDetail }[] = [];
  for (const [cluster, arns] of byCluster) {
    for (let i = 0; i < arns.length; i += DESCRIBE_MAX) {
      const tasks = arns.slice(i, i + DESCRIBE_MAX);
      const out = await describeTasks(deps, cluster, tasks);
      for (const f of out.failures ?? []) if (f.arn && f.reason === "MISSING") report.missing.push(f.arn);
      for (const task of out.tasks ?? []) {
        // The SDK's Dates become the ISO strings of an event; the event's own schema then checks the task.
        const state = EcsTaskDetailSchema.safeParse(JSON.parse(JSON.stringify(task)));
        if (state.success) states.push({ id: state.data.taskArn, state: state.data });
        else
          deps.log.warn("described task not understood; skipped", {
            taskArn: task.taskArn,
            field: state.error.issues[0]?.path.map(String).join(".") ?? "",
          });
      }
    }
  }
  // The run's states in one write, as a batch of events would be.
  const applied = await applyTaskStates(deps, states);
  if (applied.failed.length > 0)
    throw new Error(`run ${run.runId}: the described task states could not be written; next sweep again`);
  report.applied = applied.outcomes.applied ?? 0;
  if (report.applied > 0)
    deps.log.warn("task states the status handler never received were applied from DescribeTasks", {
      runId: run.runId,
      applied: report.applied,
    });
  if (report.missing.length > 0)
    deps.log.warn("tasks ECS no longer knows; the run's deadlines will end it", {
      runId: run.runId,
      missing: report.missing.length,
    });
  return report;
}

/** What a restart's reconciliation did, for the local stack's log. */
export interface RestartReconcileReport {
  /** Active runs of jobs the catalog has, each reconciled. */
  runs: number;
  /** Task states applied, summed over the runs. */
  applied: number;
  /** Runs with tasks ECS no longer knows: nothing will ever end them but their deadlines. */
  missing: { runId: string; tasks: string[] }[];
}

/**
 * Every active run reconciled now, whatever its age, tasks the run does not record included: for a local
 * stack started again over its old data, whose emulator resumed its tasks but whose events in between
 * were never applied. The sweeper instead reconciles the runs that are due, one at a time (sweep.ts).
 */
export async function reconcileAllActive(deps: RunEndDeps): Promise<RestartReconcileReport> {
  const report: RestartReconcileReport = { runs: 0, applied: 0, missing: [] };
  for (const run of await deps.ledger.listActive()) {
    const job = deps.catalog.get(run.job);
    // A final run listed has only its end-work pending: the sweeper's, not a reconcile's.
    if (!job || isFinal(run.status)) continue;
    report.runs++;
    try {
      const one = await reconcileRun(deps, job, run, { unrecorded: true });
      report.applied += one.applied;
      if (one.missing.length > 0) report.missing.push({ runId: run.runId, tasks: one.missing });
    } catch (error) {
      // One run's fault does not keep the stack from starting; its events still come, its deadlines hold.
      deps.log.error("run not reconciled at restart", { runId: run.runId, error: String(error) });
    }
  }
  return report;
}
