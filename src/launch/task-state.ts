/**
 * What the launcher records about a task from an ECS answer (RunTask, StartTask, DescribeTasks), and the
 * containers of a task definition (names, essential flags) looked up once per process.
 */
import { DescribeTaskDefinitionCommand, type Task } from "@aws-sdk/client-ecs";
import type { ContainerState, TaskState } from "../runs/model.ts";
import type { EcsPort } from "./ecs-port.ts";

export interface ContainerDefinitionInfo {
  name: string;
  essential: boolean;
}

const iso = (d: Date | undefined): string | undefined => (d instanceof Date ? d.toISOString() : undefined);

/** A TaskState from an ECS Task; `essential` comes from the task definition when known. */
export function taskStateOf(task: Task, definitions?: readonly ContainerDefinitionInfo[]): TaskState {
  const essential = new Map(definitions?.map((c) => [c.name, c.essential]));
  const containers: ContainerState[] = (task.containers ?? []).flatMap((c) => {
    if (!c.name) return [];
    const known = essential.get(c.name);
    return [
      {
        name: c.name,
        ...(c.lastStatus !== undefined && { lastStatus: c.lastStatus }),
        ...(c.exitCode !== undefined && { exitCode: c.exitCode }),
        ...(c.reason !== undefined && { reason: c.reason }),
        ...(known !== undefined && { essential: known }),
      },
    ];
  });
  const startedAt = iso(task.startedAt);
  const stoppedAt = iso(task.stoppedAt);
  return {
    taskArn: task.taskArn ?? "",
    lastStatus: task.lastStatus ?? "PROVISIONING",
    ...((task.lastStatus === "RUNNING" || startedAt !== undefined) && { started: true }),
    ...(task.stopCode !== undefined && { stopCode: task.stopCode }),
    ...(task.stoppedReason !== undefined && { stoppedReason: task.stoppedReason }),
    ...(startedAt !== undefined && { startedAt }),
    ...(stoppedAt !== undefined && { stoppedAt }),
    containers,
  };
}

/*
 * Task definition revisions are immutable, so their containers can be cached for the life of the process
 * (a Lambda container, the CLI). Keyed by client so tests with fresh mocks do not see each other's answers.
 */
const cache = new WeakMap<object, Map<string, Promise<ContainerDefinitionInfo[] | undefined>>>();

/**
 * The containers of a task definition, in definition order; undefined when ECS does not tell (no permission,
 * network trouble) — callers then treat every container as essential, as the aggregate does.
 */
export function containerDefinitions(
  deps: EcsPort,
  taskDefinition: string,
): Promise<ContainerDefinitionInfo[] | undefined> {
  const client = deps.clients.ecs;
  let byDefinition = cache.get(client);
  if (!byDefinition) {
    byDefinition = new Map();
    cache.set(client, byDefinition);
  }
  const hit = byDefinition.get(taskDefinition);
  if (hit) return hit;
  const lookup = Promise.resolve()
    .then(() => client.send(new DescribeTaskDefinitionCommand({ taskDefinition })))
    .then((out) =>
      out?.taskDefinition?.containerDefinitions?.flatMap((c) =>
        c.name ? [{ name: c.name, essential: c.essential !== false }] : [],
      ),
    )
    .catch((error: unknown) => {
      deps.log.info("task definition not described; containers treated as essential", {
        taskDefinition,
        error: error instanceof Error ? error.name : String(error),
      });
      return undefined;
    });
  byDefinition.set(taskDefinition, lookup);
  return lookup;
}
