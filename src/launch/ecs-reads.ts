/**
 * ECS calls of the use cases that are not a launch: describing tasks and container instances, listing an
 * instance's tasks, StartTask on one instance. Each is one call (or one page walk); what a failure means is
 * the caller's to decide (src/aws/ecs-call.ts classifies it).
 */
import {
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  type DescribeTasksCommandOutput,
  type DesiredStatus,
  ListTasksCommand,
  type ListTasksCommandInput,
  StartTaskCommand,
  type StartTaskCommandInput,
  type StartTaskCommandOutput,
} from "@aws-sdk/client-ecs";
import type { AwsClients } from "../aws/clients.ts";
import { type Launchers, launchClient } from "./launcher-credentials.ts";

type Ecs = { clients: Pick<AwsClients, "ecs"> };

/** DescribeTasks takes at most this many tasks per call. */
export const DESCRIBE_MAX = 100;

/** One DescribeTasks call, for at most DESCRIBE_MAX tasks. */
export async function describeTasks(
  deps: Ecs,
  cluster: string,
  tasks: string[],
): Promise<Pick<DescribeTasksCommandOutput, "tasks" | "failures">> {
  return (await deps.clients.ecs.send(new DescribeTasksCommand({ cluster, tasks }))) ?? {};
}

/** When ECS says this container instance registered with its cluster; undefined if it does not say. */
export async function instanceRegisteredAt(
  deps: Ecs,
  cluster: string,
  containerInstanceArn: string,
): Promise<Date | undefined> {
  const out = await deps.clients.ecs.send(
    new DescribeContainerInstancesCommand({ cluster, containerInstances: [containerInstanceArn] }),
  );
  return out?.containerInstances?.find((i) => i.containerInstanceArn === containerInstanceArn)?.registeredAt;
}

/** Every task ARN ListTasks answers for this filter, all pages read (the one page walk of src/launch). */
export async function listTaskArns(
  deps: Ecs,
  filter: Omit<ListTasksCommandInput, "nextToken">,
): Promise<string[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await deps.clients.ecs.send(
      new ListTasksCommand({ ...filter, ...(nextToken && { nextToken }) }),
    );
    arns.push(...(page?.taskArns ?? []));
    nextToken = page?.nextToken;
  } while (nextToken);
  return arns;
}

/** Every task ARN on a container instance with this desired status, all pages read. */
export function instanceTaskArns(
  deps: Ecs,
  cluster: string,
  containerInstance: string,
  desiredStatus: DesiredStatus,
): Promise<string[]> {
  return listTaskArns(deps, { cluster, containerInstance, desiredStatus });
}

/** Every task ARN ECS still knows with this startedBy, running or stopped, all pages read. */
export async function startedByTaskArns(deps: Ecs, cluster: string, startedBy: string): Promise<string[]> {
  const running = await listTaskArns(deps, { cluster, startedBy, desiredStatus: "RUNNING" });
  const stopped = await listTaskArns(deps, { cluster, startedBy, desiredStatus: "STOPPED" });
  return [...running, ...stopped];
}

/** StartTask as the caller built it, through the job's launcher role if it has one; a refusal throws. */
export function startTask(
  deps: Ecs & { launchers?: Launchers },
  job: string,
  input: StartTaskCommandInput,
): Promise<StartTaskCommandOutput | undefined> {
  return launchClient(deps, job, "StartTask").send(new StartTaskCommand(input));
}
