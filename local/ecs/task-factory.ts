/** A new task as RunTask/StartTask create it: the task object ECS returns, and what the lifecycle needs. */
import { createHash, randomUUID } from "node:crypto";
import type { ContainerDefinition, ContainerOverride, Tag, TaskOverride } from "@aws-sdk/client-ecs";
import { containerArn, newResourceId, taskArn } from "./arns.ts";
import type { EmulatorCore } from "./core.ts";
import type { ClusterRecord, ContainerInstanceRecord, TaskDefinitionRecord, TaskRecord } from "./records.ts";
import type { LocalBehaviour } from "./task-behaviour.ts";

export interface NewTask {
  cluster: ClusterRecord;
  definition: TaskDefinitionRecord;
  overrides: TaskOverride | undefined;
  launchType: string;
  capacityProviderName: string | undefined;
  instance: ContainerInstanceRecord | undefined;
  subnets: readonly string[] | undefined;
  startedBy: string | undefined;
  group: string | undefined;
  platformVersion: string | undefined;
  tags: Tag[];
  enableExecuteCommand: boolean | undefined;
  behaviour: LocalBehaviour;
  taskId: string;
}

/** The container definitions with one task's container overrides applied (environment merged by name). */
export function applyOverrides(defs: readonly ContainerDefinition[], overrides: TaskOverride | undefined) {
  return defs.map((d) => {
    const o = overrides?.containerOverrides?.find((c) => c.name === d.name);
    if (!o) return { ...d };
    const env = new Map((d.environment ?? []).map((kv) => [kv.name, kv.value]));
    for (const kv of o.environment ?? []) env.set(kv.name, kv.value);
    return {
      ...d,
      ...(o.command && { command: o.command }),
      environment: [...env].map(([name, value]) => ({ name, value })),
      ...(o.cpu !== undefined && { cpu: o.cpu }),
      ...(o.memory !== undefined && { memory: o.memory }),
      ...(o.memoryReservation !== undefined && { memoryReservation: o.memoryReservation }),
    } as ContainerDefinition;
  });
}

/** What a task holds on its instance: the task-level size, else the sum of its containers. */
export function reservationOf(
  definition: TaskDefinitionRecord,
  containers: readonly ContainerDefinition[],
  overrides: TaskOverride | undefined,
): { cpu: number; memory: number } {
  const cpu = overrides?.cpu ?? definition.taskDefinition.cpu;
  const memory = overrides?.memory ?? definition.taskDefinition.memory;
  return {
    cpu: cpu !== undefined ? Number(cpu) : containers.reduce((s, c) => s + (c.cpu ?? 0), 0),
    memory:
      memory !== undefined
        ? Number(memory)
        : containers.reduce((s, c) => s + (c.memory ?? c.memoryReservation ?? 0), 0),
  };
}

/** The availability zone a subnet lives in: stable per subnet, like a real VPC. */
function zoneOfSubnet(region: string, subnet: string): string {
  const n = createHash("sha256").update(subnet).digest()[0] as number;
  return `${region}${"abc"[n % 3]}`;
}

/** ECS shows an override entry for every container, with the overridden fields of those that have some. */
function overridesView(
  defs: readonly ContainerDefinition[],
  overrides: TaskOverride | undefined,
): TaskOverride {
  const given = overrides?.containerOverrides ?? [];
  const containerOverrides: ContainerOverride[] = defs.map(
    (d) => given.find((o) => o.name === d.name) ?? { name: d.name },
  );
  return { ...overrides, containerOverrides, inferenceAcceleratorOverrides: [] };
}

export function createTaskRecord(core: EmulatorCore, n: NewTask): TaskRecord {
  const td = n.definition.taskDefinition;
  const clusterName = n.cluster.cluster.clusterName;
  const arn = taskArn(core.arn, clusterName, n.taskId);
  const containers = applyOverrides(td.containerDefinitions, n.overrides);
  const awsvpc = td.networkMode === "awsvpc";
  const fargate = n.launchType === "FARGATE";
  const firstSubnet = n.subnets?.[0];
  const az =
    n.instance?.availabilityZone ??
    (firstSubnet ? zoneOfSubnet(core.arn.region, firstSubnet) : `${core.arn.region}a`);
  const cpu = n.overrides?.cpu ?? td.cpu;
  const memory = n.overrides?.memory ?? td.memory;
  const storage = n.overrides?.ephemeralStorage?.sizeInGiB ?? td.ephemeralStorage?.sizeInGiB ?? 20;
  return {
    task: {
      attachments: awsvpc
        ? [
            {
              id: randomUUID(),
              type: "ElasticNetworkInterface",
              status: "PRECREATED",
              details: firstSubnet ? [{ name: "subnetId", value: firstSubnet }] : [],
            },
          ]
        : [],
      attributes: [{ name: "ecs.cpu-architecture", value: "x86_64" }],
      availabilityZone: az,
      ...(n.capacityProviderName && { capacityProviderName: n.capacityProviderName }),
      clusterArn: n.cluster.cluster.clusterArn,
      ...(n.instance && { containerInstanceArn: n.instance.instance.containerInstanceArn }),
      containers: containers.map((d) => ({
        containerArn: containerArn(core.arn, clusterName, n.taskId),
        taskArn: arn,
        name: d.name,
        image: d.image,
        lastStatus: "PENDING",
        networkInterfaces: [],
        healthStatus: "UNKNOWN",
        cpu: String(d.cpu ?? 0),
        ...(d.memory !== undefined && { memory: String(d.memory) }),
        ...(d.memoryReservation !== undefined && { memoryReservation: String(d.memoryReservation) }),
      })),
      ...(cpu !== undefined && { cpu }),
      ...(memory !== undefined && { memory }),
      createdAt: core.now(),
      desiredStatus: "RUNNING",
      enableExecuteCommand: n.enableExecuteCommand ?? false,
      group: n.group ?? `family:${td.family}`,
      healthStatus: "UNKNOWN",
      lastStatus: awsvpc ? "PROVISIONING" : "PENDING",
      launchType: n.launchType as "FARGATE",
      overrides: overridesView(td.containerDefinitions, n.overrides),
      ...(fargate && {
        platformVersion: !n.platformVersion || n.platformVersion === "LATEST" ? "1.4.0" : n.platformVersion,
        platformFamily: "Linux",
        ephemeralStorage: { sizeInGiB: storage },
        fargateEphemeralStorage: { sizeInGiB: storage },
      }),
      ...(n.startedBy !== undefined && { startedBy: n.startedBy }),
      tags: n.tags,
      taskArn: arn,
      taskDefinitionArn: td.taskDefinitionArn,
      version: 0,
    },
    updatedAt: core.now(),
    behaviour: n.behaviour,
    containers,
    awsvpc,
    reserved: reservationOf(n.definition, containers, n.overrides),
  };
}

export const newTaskId = newResourceId;
