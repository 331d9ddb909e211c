/**
 * What the emulator keeps. Resources are held in the shapes ECS answers with (the SDK's types, Dates for
 * timestamps), plus the bookkeeping ECS would keep to itself.
 */
import type {
  Cluster,
  ContainerDefinition,
  ContainerInstance,
  Failure,
  Tag,
  Task,
  TaskDefinition,
} from "@aws-sdk/client-ecs";
import type { LocalBehaviour } from "./task-behaviour.ts";

export interface ClusterRecord {
  cluster: Cluster & { clusterArn: string; clusterName: string };
}

export interface TaskDefinitionRecord {
  taskDefinition: TaskDefinition & {
    taskDefinitionArn: string;
    family: string;
    revision: number;
    containerDefinitions: ContainerDefinition[];
  };
  tags: Tag[];
}

export interface ContainerInstanceRecord {
  instance: ContainerInstance & { containerInstanceArn: string };
  clusterArn: string;
  availabilityZone: string;
}

/** A step of the lifecycle waiting on the clock; kept so a restarted emulator can re-arm it. */
export interface DueStep {
  action: "advance" | "outcome" | "kill";
  at: number;
}

export interface TaskRecord {
  task: Task & {
    taskArn: string;
    clusterArn: string;
    lastStatus: string;
    desiredStatus: string;
    version: number;
    containers: NonNullable<Task["containers"]>;
  };
  /** When the task last changed (events carry it as detail.updatedAt). */
  updatedAt: Date;
  behaviour: LocalBehaviour;
  /** The container definitions with this task's overrides applied (command, environment, essential …). */
  containers: ContainerDefinition[];
  awsvpc: boolean;
  due?: DueStep;
  /** Resources the task holds on its container instance while not STOPPED. */
  reserved: { cpu: number; memory: number };
}

export interface IdempotencyRecord {
  requestHash: string;
  taskArns: string[];
  failures: Failure[];
  at: number;
}
