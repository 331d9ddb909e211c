/**
 * What the instance-launch handler does with one "ECS Container Instance State Change": when the instance
 * is ACTIVE with its agent connected, start every onInstanceLaunch job of its cluster on it. The event
 * repeats (agent reconnects, resource changes); startOnInstance makes each start happen once.
 */

import type { Job } from "../jobspec/schema.ts";
import type { Run } from "../runs/model.ts";
import type { ContainerInstanceStateChange } from "../triggers/container-instance.ts";
import { onRunFinal, type RunEndDeps } from "./on-run-final.ts";
import { registrationTime, startOnInstance } from "./start-on-instance.ts";

/** A job's cluster (name or ARN) against the event's cluster ARN. */
export function sameCluster(jobCluster: string, clusterArn: string): boolean {
  if (jobCluster === clusterArn) return true;
  return !jobCluster.startsWith("arn:") && clusterArn.endsWith(`:cluster/${jobCluster}`);
}

export const instanceLaunchJobs = (jobs: readonly Job[], clusterArn: string): Job[] =>
  jobs.filter((j) => j.spec.onInstanceLaunch && sameCluster(j.spec.task.cluster, clusterArn));

export async function onInstanceEvent(deps: RunEndDeps, event: ContainerInstanceStateChange): Promise<Run[]> {
  const d = event.detail;
  if (d.status !== "ACTIVE" || !d.agentConnected) {
    deps.log.debug("instance not ACTIVE with agent connected; ignored", { status: d.status });
    return [];
  }
  const jobs = instanceLaunchJobs(deps.catalog.jobs, d.clusterArn);
  if (jobs.length === 0) return [];
  const at = await registrationTime(deps, {
    cluster: d.clusterArn,
    containerInstanceArn: d.containerInstanceArn,
    eventTime: event.time,
    ...(d.registeredAt && { registeredAt: d.registeredAt }),
  });
  const runs: Run[] = [];
  const errors: unknown[] = [];
  // One job's AWS fault must not keep the others from starting; the invocation still fails so Lambda retries.
  for (const job of jobs) {
    try {
      const run = await startOnInstance(deps, {
        job,
        containerInstanceArn: d.containerInstanceArn,
        cluster: d.clusterArn,
        at,
      });
      runs.push(run);
      // A StartTask refused outright gets no task event: act on the final run here.
      await onRunFinal(deps, run);
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1)
    throw new AggregateError(errors, `${errors.length} jobs failed to start on the instance`);
  return runs;
}
