/** RegisterTaskDefinition, DescribeTaskDefinition, ListTaskDefinitions, DeregisterTaskDefinition. */
import type {
  ContainerDefinition,
  DeregisterTaskDefinitionRequest,
  DescribeTaskDefinitionRequest,
  ListTaskDefinitionsRequest,
  RegisterTaskDefinitionRequest,
} from "@aws-sdk/client-ecs";
import { clientError } from "./api-error.ts";
import { parseTaskDefinitionRef, taskDefinitionArn } from "./arns.ts";
import type { EmulatorCore } from "./core.ts";
import { fargateSizeProblem } from "./fargate-sizes.ts";
import { page } from "./paging.ts";
import type { TaskDefinitionRecord } from "./records.ts";

const UNABLE = "Unable to describe task definition.";

function checkContainers(input: RegisterTaskDefinitionRequest): void {
  const defs = input.containerDefinitions ?? [];
  if (defs.length === 0) throw clientError("Container list cannot be empty.");
  const names = new Set<string>();
  for (const d of defs) {
    if (!d.name) throw clientError("Container.name should not be null or empty.");
    if (!d.image) throw clientError("Container.image should not be null or empty.");
    if (names.has(d.name)) throw clientError(`Duplicate container name found: ${d.name}.`);
    names.add(d.name);
    if (!input.memory && d.memory === undefined && d.memoryReservation === undefined)
      throw clientError(
        `Invalid setting for container '${d.name}'. At least one of 'memory' or 'memoryReservation' must be specified.`,
      );
  }
  if (!defs.some((d) => d.essential !== false))
    throw clientError("Task definition must have at least one essential container.");
  if (input.requiresCompatibilities?.includes("FARGATE")) {
    if (input.networkMode !== "awsvpc") throw clientError("Fargate only supports network mode ‘awsvpc’.");
    if (!input.cpu) throw clientError("Fargate requires that 'cpu' be defined at the task level.");
    if (!input.memory) throw clientError("Fargate requires that 'memory' be defined at the task level.");
    const problem = fargateSizeProblem(
      normaliseSize(input.cpu, "vcpu") as string,
      normaliseSize(input.memory, "gb") as string,
    );
    if (problem) throw clientError(problem);
    // Fargate's agent writes awslogs with the execution role; there is no instance role to fall back on.
    if (!input.executionRoleArn && defs.some((d) => d.logConfiguration?.logDriver === "awslogs"))
      throw clientError(
        "Fargate requires task definition to have execution role ARN to support log driver awslogs.",
      );
  }
}

/** ECS accepts "1 vCPU" and "2 GB" at the task level and stores them as CPU units and MiB. */
function normaliseSize(value: string | undefined, unit: "vcpu" | "gb"): string | undefined {
  if (value === undefined) return undefined;
  const m = unit === "vcpu" ? /^\s*([\d.]+)\s*vcpu\s*$/i.exec(value) : /^\s*([\d.]+)\s*gb\s*$/i.exec(value);
  return m ? String(Math.round(Number(m[1]) * 1024)) : value.trim();
}

/** The defaults ECS fills in when it stores a container definition. */
const withDefaults = (d: ContainerDefinition): ContainerDefinition => ({
  cpu: 0,
  portMappings: [],
  essential: true,
  environment: [],
  mountPoints: [],
  volumesFrom: [],
  systemControls: [],
  ...d,
});

export function registerTaskDefinition(core: EmulatorCore, input: RegisterTaskDefinitionRequest) {
  checkContainers(input);
  const family = input.family as string;
  const list = core.store.taskDefinitions.get(family) ?? [];
  const revision = list.length + 1;
  const { tags, containerDefinitions, cpu, memory, ...rest } = input;
  const fargateCompatible = input.networkMode === "awsvpc" && !!cpu && !!memory;
  const taskCpu = normaliseSize(cpu, "vcpu");
  const taskMemory = normaliseSize(memory, "gb");
  const rec: TaskDefinitionRecord = {
    taskDefinition: {
      ...rest,
      ...(taskCpu !== undefined && { cpu: taskCpu }),
      ...(taskMemory !== undefined && { memory: taskMemory }),
      family,
      revision,
      taskDefinitionArn: taskDefinitionArn(core.arn, family, revision),
      containerDefinitions: (containerDefinitions ?? []).map(withDefaults),
      networkMode: input.networkMode ?? "bridge",
      volumes: input.volumes ?? [],
      placementConstraints: input.placementConstraints ?? [],
      requiresAttributes: [],
      compatibilities: fargateCompatible ? ["EC2", "FARGATE"] : ["EC2"],
      status: "ACTIVE",
      registeredAt: core.now(),
      registeredBy: `arn:aws:iam::${core.arn.accountId}:root`,
    },
    tags: tags ?? [],
  };
  list.push(rec);
  core.store.taskDefinitions.set(family, list);
  core.persist();
  return { taskDefinition: rec.taskDefinition, tags: rec.tags };
}

/**
 * The task definition a reference names: `family` is the latest ACTIVE revision, `family:revision` and
 * ARNs that exact revision (ACTIVE or INACTIVE). Undefined when there is none.
 */
export function findTaskDefinition(core: EmulatorCore, ref: string): TaskDefinitionRecord | undefined {
  const parsed = parseTaskDefinitionRef(core.arn, ref);
  if (!parsed) return undefined;
  const list = core.store.taskDefinitions.get(parsed.family) ?? [];
  if (parsed.revision !== undefined) return list[parsed.revision - 1];
  return list.findLast((d) => d.taskDefinition.status === "ACTIVE");
}

export function describeTaskDefinition(core: EmulatorCore, input: DescribeTaskDefinitionRequest) {
  const rec = findTaskDefinition(core, input.taskDefinition as string);
  if (!rec) throw clientError(UNABLE);
  return {
    taskDefinition: rec.taskDefinition,
    ...(input.include?.includes("TAGS") && { tags: rec.tags }),
  };
}

export function listTaskDefinitions(core: EmulatorCore, input: ListTaskDefinitionsRequest) {
  const status = input.status ?? "ACTIVE";
  const all = [...core.store.taskDefinitions.entries()]
    .filter(([family]) => input.familyPrefix === undefined || family.startsWith(input.familyPrefix))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .flatMap(([, list]) => list)
    .filter((d) => d.taskDefinition.status === status)
    .map((d) => d.taskDefinition.taskDefinitionArn);
  if (input.sort === "DESC") all.reverse();
  const p = page(all, input);
  return { taskDefinitionArns: p.items, ...(p.nextToken && { nextToken: p.nextToken }) };
}

export function deregisterTaskDefinition(core: EmulatorCore, input: DeregisterTaskDefinitionRequest) {
  const ref = input.taskDefinition as string;
  const parsed = parseTaskDefinitionRef(core.arn, ref);
  if (parsed && parsed.revision === undefined)
    throw clientError("The specified task definition does not include a revision (family:revision or ARN).");
  const rec = findTaskDefinition(core, ref);
  if (!rec) throw clientError(UNABLE);
  if (rec.taskDefinition.status === "ACTIVE") {
    rec.taskDefinition.status = "INACTIVE";
    rec.taskDefinition.deregisteredAt = core.now();
    core.persist();
  }
  return { taskDefinition: rec.taskDefinition };
}
