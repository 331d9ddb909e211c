/** StopTask, DescribeTasks, ListTasks. */
import type {
  DescribeTasksRequest,
  Failure,
  ListTasksRequest,
  StopTaskRequest,
  Task,
} from "@aws-sdk/client-ecs";
import { invalidParameter } from "./api-error.ts";
import { resourceId, taskArn } from "./arns.ts";
import { findInstance } from "./clusters.ts";
import type { EmulatorCore } from "./core.ts";
import { page } from "./paging.ts";
import type { TaskRecord } from "./records.ts";

/** The task as the API shows it (a copy); tags only when asked for, as DescribeTasks `include: TAGS`. */
export function taskView(rec: TaskRecord, withTags: boolean): Task {
  const { tags, ...task } = structuredClone(rec.task);
  return withTags ? { ...task, tags: tags ?? [] } : task;
}

function findTask(core: EmulatorCore, clusterArn: string, ref: string): TaskRecord | undefined {
  const id = resourceId(ref);
  return core
    .visibleTasks(clusterArn)
    .find((t) => t.task.taskArn === ref || resourceId(t.task.taskArn) === id);
}

export function stopTask(core: EmulatorCore, input: StopTaskRequest) {
  const cluster = core.cluster(input.cluster);
  const rec = findTask(core, cluster.cluster.clusterArn, input.task as string);
  if (!rec) throw invalidParameter("The referenced task was not found.", "task");
  core.lifecycle.stop(rec, input.reason);
  return { task: taskView(rec, false) };
}

export function describeTasks(core: EmulatorCore, input: DescribeTasksRequest) {
  const cluster = core.cluster(input.cluster);
  const withTags = input.include?.includes("TAGS") ?? false;
  const tasks: Task[] = [];
  const failures: Failure[] = [];
  for (const ref of input.tasks ?? []) {
    const rec = findTask(core, cluster.cluster.clusterArn, ref);
    if (rec) tasks.push(taskView(rec, withTags));
    else
      failures.push({
        arn: ref.startsWith("arn:") ? ref : taskArn(core.arn, cluster.cluster.clusterName, ref),
        reason: "MISSING",
      });
  }
  return { tasks, failures };
}

const familyOf = (taskDefinitionArn: string | undefined) =>
  /task-definition\/([^:]+):\d+$/.exec(taskDefinitionArn ?? "")?.[1];

export function listTasks(core: EmulatorCore, input: ListTasksRequest) {
  const cluster = core.cluster(input.cluster);
  // ECS lists tasks whose *desired* status is RUNNING unless told otherwise.
  const desired = input.desiredStatus ?? "RUNNING";
  // The API reference: "When you specify startedBy as the filter, it must be the only filter that you use."
  // desiredStatus is a status selection, not a filter, and is accepted with it.
  const others = (["containerInstance", "family", "serviceName", "launchType"] as const).filter(
    (k) => input[k] !== undefined,
  );
  if (input.startedBy !== undefined && others.length > 0)
    throw invalidParameter(
      `startedBy must be the only filter of ListTasks; remove ${others.join(", ")}.`,
      others[0],
    );
  let instanceArn: string | undefined;
  if (input.containerInstance !== undefined) {
    instanceArn = findInstance(core, cluster.cluster.clusterArn, input.containerInstance)?.instance
      .containerInstanceArn;
    if (!instanceArn)
      throw invalidParameter("The referenced container instance was not found.", "containerInstance");
  }
  const arns = core
    .visibleTasks(cluster.cluster.clusterArn)
    .filter((r) => r.task.desiredStatus === desired)
    .filter((r) => input.startedBy === undefined || r.task.startedBy === input.startedBy)
    .filter((r) => input.family === undefined || familyOf(r.task.taskDefinitionArn) === input.family)
    .filter((r) => input.launchType === undefined || r.task.launchType === input.launchType)
    .filter((r) => instanceArn === undefined || r.task.containerInstanceArn === instanceArn)
    // The emulator runs no services: a service filter matches nothing.
    .filter(() => input.serviceName === undefined)
    .map((r) => r.task.taskArn);
  const p = page(arns, input);
  return { taskArns: p.items, ...(p.nextToken && { nextToken: p.nextToken }) };
}
