/**
 * Stopping what is left of a run (timeout, start deadline). The ledger knows the tasks whose RunTask
 * answer or events arrived; ECS also knows tasks whose answer was lost, found by the run's `startedBy`
 * (ListTasks filters on it exactly).
 */
import { ListTasksCommand, StopTaskCommand } from "@aws-sdk/client-ecs";
import { classifyAwsError } from "../aws/ecs-call.ts";
import { runTaskStartedBy, startTaskStartedBy } from "../jobspec/requests.ts";
import type { Job } from "../jobspec/schema.ts";
import type { Run } from "../runs/model.ts";
import type { EcsPort } from "./ecs-port.ts";

type StopDeps = EcsPort;

/** Its own page walk, not ecs-reads.ts listTaskArns: a failure on a later page keeps the pages already read. */
async function listedTasks(deps: StopDeps, cluster: string, startedBy: string): Promise<string[]> {
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
  }
  return arns;
}

/** Stops every task of the run that is not stopped yet; resolves to the ARNs it asked ECS to stop. */
export async function stopRunTasks(deps: StopDeps, job: Job, run: Run, reason: string): Promise<string[]> {
  const cluster = job.spec.task.cluster;
  const startedBy =
    run.trigger.kind === "instanceLaunch"
      ? startTaskStartedBy(run.runId)
      : runTaskStartedBy(job.name, run.runId);
  const known = run.tasks.filter((t) => t.lastStatus !== "STOPPED").map((t) => t.taskArn);
  const stoppedKnown = new Set(run.tasks.filter((t) => t.lastStatus === "STOPPED").map((t) => t.taskArn));
  const listed = (await listedTasks(deps, cluster, startedBy)).filter((a) => !stoppedKnown.has(a));
  const arns = [...new Set([...known, ...listed])];
  const stopped: string[] = [];
  for (const task of arns) {
    try {
      await deps.clients.ecs.send(new StopTaskCommand({ cluster, task, reason }));
      stopped.push(task);
    } catch (error) {
      // A task ECS no longer knows cannot be stopped, nor needs to be; anything else is worth a look.
      const level = classifyAwsError(error) === "client" ? "warn" : "error";
      deps.log[level]("could not stop a task", { taskArn: task, error: String(error) });
    }
  }
  return stopped;
}
