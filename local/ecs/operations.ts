/** The ECS operations the emulator serves, by name (the `X-Amz-Target` suffix). */
import type { EcsOperation } from "../model/ecs-model.ts";
import {
  createCluster,
  describeClusters,
  describeContainerInstances,
  listClusters,
  listContainerInstances,
} from "./clusters.ts";
import type { EmulatorCore } from "./core.ts";
import { runTask, startTask } from "./launch.ts";
import {
  deregisterTaskDefinition,
  describeTaskDefinition,
  listTaskDefinitions,
  registerTaskDefinition,
} from "./task-definition-ops.ts";
import { describeTasks, listTasks, stopTask } from "./task-ops.ts";

/** Inputs arrive already checked against the operation's request shape. */
type Handler = (core: EmulatorCore, input: never) => unknown;

export const HANDLERS: Record<EcsOperation, Handler> = {
  CreateCluster: createCluster,
  DeregisterTaskDefinition: deregisterTaskDefinition,
  DescribeClusters: describeClusters,
  DescribeContainerInstances: describeContainerInstances,
  DescribeTaskDefinition: describeTaskDefinition,
  DescribeTasks: describeTasks,
  ListClusters: listClusters,
  ListContainerInstances: listContainerInstances,
  ListTaskDefinitions: listTaskDefinitions,
  ListTasks: listTasks,
  RegisterTaskDefinition: registerTaskDefinition,
  RunTask: runTask,
  StartTask: startTask,
  StopTask: stopTask,
};

export const isOperation = (name: string): name is EcsOperation => Object.hasOwn(HANDLERS, name);
