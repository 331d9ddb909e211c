/**
 * A job's tasks that are still active, found from ECS itself rather than the ledger: ECS knows about tasks
 * whose events have not arrived yet. ListTasks filters by family and desired status (it cannot filter by a
 * startedBy prefix), then DescribeTasks tells which of them this system started for this job.
 */
import { DescribeTasksCommand } from "@aws-sdk/client-ecs";
import type { AwsClients } from "../aws/clients.ts";
import { parseStartedBy, STARTED_BY_PREFIX } from "../jobspec/requests.ts";
import type { Job } from "../jobspec/schema.ts";
import { DESCRIBE_MAX, listTaskArns } from "./ecs-reads.ts";

export interface ActiveTask {
  taskArn: string;
  runId: string;
}

/** The family of `family`, `family:revision` or a task definition ARN. */
export function familyOf(taskDefinition: string): string {
  const name = taskDefinition.includes(":task-definition/")
    ? (taskDefinition.split(":task-definition/")[1] ?? "")
    : taskDefinition;
  return name.split(":")[0] ?? name;
}

export async function findActiveTasks(
  deps: { clients: Pick<AwsClients, "ecs"> },
  job: Job,
  exceptRunId?: string,
): Promise<ActiveTask[]> {
  const cluster = job.spec.task.cluster;
  const family = familyOf(job.spec.task.taskDefinition);
  const arns = await listTaskArns(deps, { cluster, family, desiredStatus: "RUNNING" });

  const prefix = `${STARTED_BY_PREFIX}/${job.name}/`;
  const active: ActiveTask[] = [];
  for (let i = 0; i < arns.length; i += DESCRIBE_MAX) {
    const tasks = arns.slice(i, i + DESCRIBE_MAX);
    const out = await deps.clients.ecs.send(new DescribeTasksCommand({ cluster, tasks }));
    for (const t of out?.tasks ?? []) {
      if (!t.taskArn || !t.startedBy?.startsWith(prefix)) continue;
      const runId = parseStartedBy(t.startedBy)?.runId;
      if (runId && runId !== exceptRunId) active.push({ taskArn: t.taskArn, runId });
    }
  }
  return active;
}

/** The distinct run ids of some tasks, in first-seen order. */
export const runIdsOf = (tasks: readonly ActiveTask[]): string[] => [...new Set(tasks.map((t) => t.runId))];
