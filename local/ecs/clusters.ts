/**
 * CreateCluster, DescribeClusters, ListClusters, ListContainerInstances, DescribeContainerInstances, and
 * the emulator's own control for container instances joining a cluster (ECS has no API for that: an EC2
 * instance's agent registers itself).
 */
import type {
  Attribute,
  ContainerInstance,
  CreateClusterRequest,
  DescribeClustersRequest,
  DescribeContainerInstancesRequest,
  Failure,
  ListClustersRequest,
  ListContainerInstancesRequest,
  Resource,
} from "@aws-sdk/client-ecs";
import { clusterArn, clusterNameOf, containerInstanceArn, newResourceId, resourceId } from "./arns.ts";
import type { EmulatorCore } from "./core.ts";
import { EmulatorNotFoundError } from "./not-found.ts";
import { page } from "./paging.ts";
import { matchesExpression } from "./placement.ts";
import type { ContainerInstanceRecord } from "./records.ts";

export function createCluster(core: EmulatorCore, input: CreateClusterRequest) {
  const rec = core.createCluster(input.clusterName ?? "default", {
    ...(input.tags && { tags: input.tags }),
    ...(input.settings && { settings: input.settings }),
    ...(input.capacityProviders && { capacityProviders: input.capacityProviders }),
    ...(input.defaultCapacityProviderStrategy && {
      defaultCapacityProviderStrategy: input.defaultCapacityProviderStrategy,
    }),
  });
  return { cluster: clusterView(core, rec.cluster.clusterName, ["TAGS", "SETTINGS"]) };
}

const PENDING = new Set(["PROVISIONING", "PENDING", "ACTIVATING"]);

/** A cluster with its live counts; tags, settings and statistics only when asked for, as ECS does. */
function clusterView(core: EmulatorCore, name: string, include: readonly string[]) {
  const rec = core.store.clusters.get(name);
  if (!rec) return undefined;
  const arn = rec.cluster.clusterArn;
  const tasks = core.visibleTasks(arn);
  const instances = [...core.store.containerInstances.values()].filter(
    (i) => i.clusterArn === arn && i.instance.status !== "INACTIVE",
  );
  const { tags, settings, statistics, ...cluster } = rec.cluster;
  return {
    ...cluster,
    registeredContainerInstancesCount: instances.length,
    runningTasksCount: tasks.filter((t) => t.task.lastStatus === "RUNNING").length,
    pendingTasksCount: tasks.filter((t) => PENDING.has(t.task.lastStatus)).length,
    ...(include.includes("TAGS") && { tags }),
    ...(include.includes("SETTINGS") && { settings }),
    ...(include.includes("STATISTICS") && { statistics }),
  };
}

export function describeClusters(core: EmulatorCore, input: DescribeClustersRequest) {
  const clusters = [];
  const failures: Failure[] = [];
  for (const ref of input.clusters ?? ["default"]) {
    const name = clusterNameOf(core.arn, ref);
    const view = name === undefined ? undefined : clusterView(core, name, input.include ?? []);
    if (view) clusters.push(view);
    else failures.push({ arn: ref.startsWith("arn:") ? ref : clusterArn(core.arn, ref), reason: "MISSING" });
  }
  return { clusters, failures };
}

export function listClusters(core: EmulatorCore, input: ListClustersRequest) {
  const p = page(
    [...core.store.clusters.values()].map((c) => c.cluster.clusterArn),
    input,
  );
  return { clusterArns: p.items, ...(p.nextToken && { nextToken: p.nextToken }) };
}

/** CPU and memory an instance still offers: what it registered minus what its unstopped tasks hold. */
export function remaining(core: EmulatorCore, rec: ContainerInstanceRecord): { cpu: number; memory: number } {
  const reg = rec.instance.registeredResources ?? [];
  const total = (name: string) => reg.find((r) => r.name === name)?.integerValue ?? 0;
  let cpu = total("CPU");
  let memory = total("MEMORY");
  for (const t of core.visibleTasks(rec.clusterArn)) {
    if (t.task.containerInstanceArn !== rec.instance.containerInstanceArn || t.task.lastStatus === "STOPPED")
      continue;
    cpu -= t.reserved.cpu;
    memory -= t.reserved.memory;
  }
  return { cpu, memory };
}

function instanceView(
  core: EmulatorCore,
  rec: ContainerInstanceRecord,
): ContainerInstance & { containerInstanceArn: string } {
  const left = remaining(core, rec);
  const tasks = core
    .visibleTasks(rec.clusterArn)
    .filter((t) => t.task.containerInstanceArn === rec.instance.containerInstanceArn);
  const remainingResources = (rec.instance.registeredResources ?? []).map((r) =>
    r.name === "CPU"
      ? { ...r, integerValue: left.cpu }
      : r.name === "MEMORY"
        ? { ...r, integerValue: left.memory }
        : r,
  );
  const { tags: _tags, ...instance } = rec.instance;
  return {
    ...instance,
    remainingResources,
    runningTasksCount: tasks.filter((t) => t.task.lastStatus === "RUNNING").length,
    pendingTasksCount: tasks.filter((t) => PENDING.has(t.task.lastStatus)).length,
  };
}

export function listContainerInstances(core: EmulatorCore, input: ListContainerInstancesRequest) {
  const cluster = core.cluster(input.cluster);
  const statuses = input.status ? [input.status] : ["ACTIVE", "DRAINING"];
  const arns = [...core.store.containerInstances.values()]
    .filter((i) => i.clusterArn === cluster.cluster.clusterArn && statuses.includes(i.instance.status ?? ""))
    .filter((i) => input.filter === undefined || matchesExpression(i, input.filter))
    .map((i) => i.instance.containerInstanceArn);
  const p = page(arns, input);
  return { containerInstanceArns: p.items, ...(p.nextToken && { nextToken: p.nextToken }) };
}

/** A container instance of `clusterArn` by ARN or id. */
export function findInstance(core: EmulatorCore, clusterArn: string, ref: string) {
  const id = resourceId(ref);
  for (const i of core.store.containerInstances.values()) {
    if (i.clusterArn !== clusterArn) continue;
    if (i.instance.containerInstanceArn === ref || resourceId(i.instance.containerInstanceArn) === id)
      return i;
  }
  return undefined;
}

export function describeContainerInstances(core: EmulatorCore, input: DescribeContainerInstancesRequest) {
  const cluster = core.cluster(input.cluster);
  const containerInstances: ContainerInstance[] = [];
  const failures: Failure[] = [];
  for (const ref of input.containerInstances ?? []) {
    const rec = findInstance(core, cluster.cluster.clusterArn, ref);
    if (rec) containerInstances.push(instanceView(core, rec));
    else
      failures.push({
        arn: ref.startsWith("arn:") ? ref : containerInstanceArn(core.arn, cluster.cluster.clusterName, ref),
        reason: "MISSING",
      });
  }
  return { containerInstances, failures };
}

export interface ContainerInstanceAttrs {
  ec2InstanceId?: string;
  /** CPU units (1024 per vCPU); default 2048. */
  cpu?: number;
  /** MiB; default 3767 (a t3.medium). */
  memory?: number;
  instanceType?: string;
  availabilityZone?: string;
  capacityProviderName?: string;
  /** Custom attributes, e.g. `{ stack: "prod" }` for memberOf constraints. */
  attributes?: Record<string, string>;
}

const intResource = (name: string, value: number): Resource => ({
  name,
  type: "INTEGER",
  integerValue: value,
  doubleValue: 0,
  longValue: 0,
});
const portsResource = (name: string, ports: string[]): Resource => ({
  name,
  type: "STRINGSET",
  stringSetValue: ports,
  doubleValue: 0,
  longValue: 0,
  integerValue: 0,
});

/** The capabilities an ECS-optimised AMI's agent registers (as in the sample event). */
const CAPABILITIES = [
  "com.amazonaws.ecs.capability.logging-driver.awslogs",
  "com.amazonaws.ecs.capability.logging-driver.json-file",
  "com.amazonaws.ecs.capability.privileged-container",
  "com.amazonaws.ecs.capability.docker-remote-api.1.44",
  "com.amazonaws.ecs.capability.ecr-auth",
  "com.amazonaws.ecs.capability.task-iam-role",
  "com.amazonaws.ecs.capability.task-iam-role-network-host",
  "ecs.capability.task-eni",
  "ecs.capability.execution-role-awslogs",
  "ecs.capability.secrets.asm.environment-variables",
];

export function addContainerInstance(
  core: EmulatorCore,
  clusterRef: string,
  attrs: ContainerInstanceAttrs = {},
): ContainerInstance {
  const cluster = core.cluster(clusterRef);
  const id = newResourceId();
  const az = attrs.availabilityZone ?? `${core.arn.region}a`;
  const instanceType = attrs.instanceType ?? "t3.medium";
  const attributes: Attribute[] = [
    ...CAPABILITIES.map((name) => ({ name })),
    { name: "ecs.availability-zone", value: az },
    { name: "ecs.instance-type", value: instanceType },
    { name: "ecs.os-type", value: "linux" },
    { name: "ecs.cpu-architecture", value: "x86_64" },
    ...Object.entries(attrs.attributes ?? {}).map(([name, value]) => ({ name, value })),
  ];
  const ports = ["22", "2376", "2375", "51678", "51679"];
  const rec: ContainerInstanceRecord = {
    clusterArn: cluster.cluster.clusterArn,
    availabilityZone: az,
    instance: {
      containerInstanceArn: containerInstanceArn(core.arn, cluster.cluster.clusterName, id),
      ec2InstanceId: attrs.ec2InstanceId ?? `i-${id.slice(0, 17)}`,
      ...(attrs.capacityProviderName && { capacityProviderName: attrs.capacityProviderName }),
      version: 1,
      versionInfo: { agentVersion: "1.89.0", agentHash: "4e6f5d1b", dockerVersion: "DockerVersion: 25.0.6" },
      registeredResources: [
        intResource("CPU", attrs.cpu ?? 2048),
        intResource("MEMORY", attrs.memory ?? 3767),
        portsResource("PORTS", ports),
        portsResource("PORTS_UDP", []),
      ],
      remainingResources: [],
      status: "ACTIVE",
      agentConnected: true,
      runningTasksCount: 0,
      pendingTasksCount: 0,
      attributes,
      registeredAt: core.now(),
      attachments: [],
      tags: [],
    },
  };
  core.store.containerInstances.set(rec.instance.containerInstanceArn, rec);
  core.instanceChanged({ ...rec, instance: instanceView(core, rec) });
  return instanceView(core, rec);
}

/** The instance leaves the cluster (terminated, or deregistered): status INACTIVE, agent disconnected. */
export function removeContainerInstance(core: EmulatorCore, arn: string): void {
  const rec = core.store.containerInstances.get(arn);
  if (!rec) throw new EmulatorNotFoundError(`container instance ${arn}`);
  rec.instance.status = "INACTIVE";
  rec.instance.agentConnected = false;
  rec.instance.version = (rec.instance.version ?? 0) + 1;
  core.instanceChanged({ ...rec, instance: instanceView(core, rec) });
}
