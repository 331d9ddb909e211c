/**
 * onInstanceLaunch jobs: StartTask on a container instance that joined the job's cluster, exactly once per
 * instance and job. StartTask has no clientToken, so the ledger is the guard: the run id depends only on the
 * job and the instance, and a run that already exists is not started again. The one gap — an invocation that
 * died after StartTask but before recording it — is closed by asking ECS for tasks with the run's startedBy.
 */
import type { DesiredStatus, StartTaskCommandInput, StartTaskCommandOutput } from "@aws-sdk/client-ecs";
import { classifyAwsError, errorMessage, errorName } from "../aws/ecs-call.ts";
import { startTaskRequest, startTaskStartedBy } from "../jobspec/requests.ts";
import type { Job } from "../jobspec/schema.ts";
import type { EcsPort } from "../launch/ecs-port.ts";
import {
  DESCRIBE_MAX,
  describeTasks,
  instanceRegisteredAt,
  instanceTaskArns,
  startTask,
} from "../launch/ecs-reads.ts";
import { failureOf, padFailures } from "../launch/failures.ts";
import type { Launchers } from "../launch/launcher-credentials.ts";
import { containerDefinitions, taskStateOf } from "../launch/task-state.ts";
import type { RunLedger } from "../ledger/ledger.ts";
import { apiErrorHint } from "../runs/api-error-hint.ts";
import { isFinal, type Run, type Trigger } from "../runs/model.ts";
import { runIdFor } from "../runs/run-id.ts";

export interface InstanceLaunch {
  job: Job;
  containerInstanceArn: string;
  /** The instance's cluster (ARN from the event); where already-started tasks are looked up. */
  cluster: string;
  /** Default: `{ kind: "instanceLaunch", id: containerInstanceArn }`. */
  trigger?: Trigger;
  /**
   * Fixed per instance: when it registered (see registrationTime). It is part of the run id, so it must
   * not change between events of the same instance; without it the epoch is used.
   */
  at?: Date;
}

/** What starting on an instance touches: ECS (StartTask — through a launcher role's client when the job has one —, and the reads that find an earlier start), the ledger. */
type StartDeps = EcsPort & { ledger: RunLedger; now: () => Date; launchers?: Launchers };

/**
 * When the instance registered with its cluster, for the run id: the event's registeredAt, else ECS's answer
 * (AWS's own sample event has none), else — ECS refused, e.g. a missing permission — the event's time, which
 * is the same for a redelivered event though not for a later event of the same instance.
 */
export async function registrationTime(
  deps: EcsPort,
  o: { cluster: string; containerInstanceArn: string; registeredAt?: string; eventTime: string },
): Promise<Date> {
  if (o.registeredAt) return new Date(o.registeredAt);
  const eventTime = new Date(o.eventTime);
  try {
    const registeredAt = await instanceRegisteredAt(deps, o.cluster, o.containerInstanceArn);
    if (registeredAt) return new Date(registeredAt);
  } catch (error) {
    if (classifyAwsError(error) !== "client") throw error;
    deps.log.warn("DescribeContainerInstances refused; the run id uses the event's time", {
      error: errorName(error),
    });
  }
  return Number.isNaN(eventTime.getTime()) ? new Date(0) : eventTime;
}

export const instanceRunId = (job: string, containerInstanceArn: string, at = new Date(0)): string =>
  runIdFor(job, { kind: "instanceLaunch", id: containerInstanceArn }, at);

export async function startOnInstance(deps: StartDeps, launch: InstanceLaunch): Promise<Run> {
  const { job, containerInstanceArn } = launch;
  const runId = instanceRunId(job.name, containerInstanceArn, launch.at);
  deps.log.appendKeys({ job: job.name, runId });
  const trigger = launch.trigger ?? { kind: "instanceLaunch", id: containerInstanceArn };
  const { run, created } = await deps.ledger.create({
    runId,
    job: job.name,
    status: "PENDING",
    trigger,
    attempt: 1,
    lineageId: runId,
    createdAt: deps.now().toISOString(),
    expectedTasks: 1,
    failures: [],
    tasks: [],
  });
  if (!created && (isFinal(run.status) || run.tasks.length > 0 || run.failures.length > 0)) {
    deps.log.info("already started on this instance", { status: run.status });
    return run;
  }
  return start(deps, job, runId, { cluster: launch.cluster, containerInstanceArn, earlier: !created });
}

/**
 * How long the sweeper leaves an instance start with no result to the event's deliveries. EventBridge invokes
 * the function asynchronously, and Lambda delivers a failed invocation twice more (about 1 and 2 minutes
 * later; later still while the function is throttled). StartTask has no clientToken, so a sweeper resuming a
 * start that a delivery is also at could start the job twice: only a delivery delayed past this still can.
 */
export const INSTANCE_START_GRACE_MS = 15 * 60_000;

/**
 * A start whose every delivery failed (ECS or DynamoDB down through Lambda's retries): its run stayed
 * PENDING with no task for good, as no task event ever comes for it. The sweeper resumes it.
 */
export function unfinishedStart(run: Run, now: Date): boolean {
  return (
    run.trigger.kind === "instanceLaunch" &&
    run.status === "PENDING" &&
    run.tasks.length === 0 &&
    run.failures.length === 0 &&
    now.getTime() - Date.parse(run.createdAt) >= INSTANCE_START_GRACE_MS
  );
}

/** Resumes an unfinished start as a delivery of its event would: a task started but not recorded is recorded. */
export function resumeStart(deps: StartDeps, job: Job, run: Run): Promise<Run> {
  deps.log.warn("resuming a start on an instance whose deliveries all failed", { runId: run.runId });
  return start(deps, job, run.runId, {
    cluster: job.spec.task.cluster,
    containerInstanceArn: run.trigger.id,
    earlier: true,
  });
}

/** StartTask for the run and its answer recorded; `earlier`: first look for a task an earlier try started. */
async function start(
  deps: StartDeps,
  job: Job,
  runId: string,
  where: { cluster: string; containerInstanceArn: string; earlier: boolean },
): Promise<Run> {
  const { cluster, containerInstanceArn } = where;
  if (where.earlier) {
    const earlier = await tasksStartedBy(deps, cluster, containerInstanceArn, runId);
    if (earlier.length > 0) return deps.ledger.recordLaunch(runId, { tasks: earlier, failures: [] });
  }

  const input = startTaskRequest(job, runId, containerInstanceArn).input as StartTaskCommandInput;
  let answer: StartTaskCommandOutput | undefined;
  try {
    answer = await startTask(deps, job.name, input);
  } catch (error) {
    if (classifyAwsError(error) !== "client") throw error;
    const failure = { reason: errorName(error), detail: errorMessage(error) };
    deps.log.error("ECS rejected StartTask; the run failed", { error: failure.reason });
    const { run: failed } = await deps.ledger.finish(runId, "FAILED", {
      hint: apiErrorHint(failure.reason, failure.detail),
      failures: [failure],
    });
    return failed;
  }
  const started = (answer?.tasks ?? []).filter((t) => t.taskArn);
  const containers =
    started.length > 0
      ? await containerDefinitions(deps, started[0]?.taskDefinitionArn ?? job.spec.task.taskDefinition)
      : undefined;
  const tasks = started.map((t) => taskStateOf(t, containers));
  const failures = padFailures((answer?.failures ?? []).map(failureOf), 1 - tasks.length, 1);
  deps.log.info("StartTask answered", {
    containerInstanceArn,
    placed: tasks.length,
    failed: failures.length,
  });
  return deps.ledger.recordLaunch(runId, { tasks, failures });
}

/**
 * Tasks an earlier invocation started for this run, running or recently stopped. ECS allows startedBy only
 * as the sole filter of ListTasks, and without desiredStatus it lists RUNNING tasks only: so the instance's
 * tasks are listed by desired status and the run's are picked out by their startedBy. A fresh instance
 * holds few tasks.
 */
async function tasksStartedBy(deps: StartDeps, cluster: string, containerInstance: string, runId: string) {
  const startedBy = startTaskStartedBy(runId);
  const arns: string[] = [];
  for (const desiredStatus of ["RUNNING", "STOPPED"] as DesiredStatus[])
    arns.push(...(await instanceTaskArns(deps, cluster, containerInstance, desiredStatus)));
  const found = [];
  for (let i = 0; i < arns.length; i += DESCRIBE_MAX) {
    const out = await describeTasks(deps, cluster, arns.slice(i, i + DESCRIBE_MAX));
    found.push(...(out.tasks ?? []).filter((t) => t.taskArn && t.startedBy === startedBy));
  }
  return found.map((t) => taskStateOf(t));
}
