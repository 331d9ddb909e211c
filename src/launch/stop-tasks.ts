/**
 * Stopping what is left of a run (timeout, start deadline). The ledger knows the tasks whose RunTask
 * answer or events arrived; ECS also knows tasks whose answer was lost, found by the run's `startedBy`
 * (ListTasks filters on it exactly).
 */
import {
  ClusterNotFoundException,
  InvalidParameterException,
  ListTasksCommand,
  StopTaskCommand,
} from "@aws-sdk/client-ecs";
import { classifyAwsError } from "../aws/ecs-call.ts";
import { runTaskStartedBy, startTaskStartedBy } from "../jobspec/requests.ts";
import type { Job } from "../jobspec/schema.ts";
import type { Run } from "../runs/model.ts";
import type { EcsPort } from "./ecs-port.ts";

type StopDeps = EcsPort;

/** What a stop did: the ARNs ECS took StopTask for, and whether every task of the run is known stopped. */
export interface StopOutcome {
  stopped: string[];
  /** False when ListTasks or a StopTask failed: a task may still run, and StopTask is still owed. */
  complete: boolean;
  /** The last failure when not complete. */
  error?: unknown;
}

/**
 * A task ECS no longer knows ("The referenced task was not found"), or its cluster is gone: it cannot be
 * stopped, nor needs to be. InvalidParameterException also names bad input, hence its message is read.
 */
const taskGone = (error: unknown): boolean =>
  error instanceof ClusterNotFoundException ||
  (error instanceof InvalidParameterException && /not found/i.test(error.message));

/** Its own page walk, not ecs-reads.ts listTaskArns: a failure on a later page keeps the pages already read. */
async function listedTasks(
  deps: StopDeps,
  cluster: string,
  startedBy: string,
): Promise<{ arns: string[]; complete: boolean; error?: unknown }> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const page = await deps.clients.ecs.send(
        new ListTasksCommand({ cluster, startedBy, ...(nextToken && { nextToken }) }),
      );
      arns.push(...(page.taskArns ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
  } catch (error) {
    deps.log.warn("could not list the run's tasks; stopping the ones the ledger knows", {
      error: String(error),
    });
    return { arns, complete: false, error };
  }
  return { arns, complete: true };
}

/** Stops every task of the run that is not stopped yet; resolves to the ARNs it asked ECS to stop. */
export async function stopRunTasks(deps: StopDeps, job: Job, run: Run, reason: string): Promise<string[]> {
  return (await stopAllTasks(deps, job, run, reason)).stopped;
}

/** Stops every task of the run that is not stopped yet, and says whether none may be left running. */
export async function stopAllTasks(deps: StopDeps, job: Job, run: Run, reason: string): Promise<StopOutcome> {
  const cluster = job.spec.task.cluster;
  const startedBy =
    run.trigger.kind === "instanceLaunch"
      ? startTaskStartedBy(run.runId)
      : runTaskStartedBy(job.name, run.runId);
  const known = run.tasks.filter((t) => t.lastStatus !== "STOPPED").map((t) => t.taskArn);
  const stoppedKnown = new Set(run.tasks.filter((t) => t.lastStatus === "STOPPED").map((t) => t.taskArn));
  const listing = await listedTasks(deps, cluster, startedBy);
  const listed = listing.arns.filter((a) => !stoppedKnown.has(a));
  const arns = [...new Set([...known, ...listed])];
  const stopped: string[] = [];
  let { complete, error: failure } = listing;
  for (const task of arns) {
    try {
      await deps.clients.ecs.send(new StopTaskCommand({ cluster, task, reason }));
      stopped.push(task);
    } catch (error) {
      if (taskGone(error)) {
        deps.log.info("task to stop is gone from ECS", { taskArn: task, error: String(error) });
        continue;
      }
      complete = false;
      failure = error;
      const level = classifyAwsError(error) === "client" ? "warn" : "error";
      deps.log[level]("could not stop a task; the sweeper tries again", {
        taskArn: task,
        error: String(error),
      });
    }
  }
  return { stopped, complete, ...(!complete && { error: failure }) };
}
