/**
 * Translation of a job into the exact ECS requests of one run. Pure: `ecs-jobs show` prints what this
 * returns and the launcher sends exactly that, so what a user reviews is what ECS receives.
 */
import type {
  ContainerOverride,
  PlacementConstraint,
  PlacementStrategy,
  RunTaskCommandInput,
  StartTaskCommandInput,
  Tag,
  TaskOverride,
} from "@aws-sdk/client-ecs";
import type { Job, JobSpec, TaskSpec } from "./schema.ts";

/** ECS accepts at most 10 tasks per RunTask call. */
export const RUN_TASK_MAX_COUNT = 10;
export const STARTED_BY_PREFIX = "ecs-jobs";
export const TAG_JOB = "ecs-jobs:job";
export const TAG_RUN = "ecs-jobs:run";

/** Extra overrides of one run (HTTP body, CLI --set), already checked against the job's allowlist. */
export interface RunOverrides {
  count?: number;
  cpu?: string;
  memory?: string;
  /** By container name. */
  containers?: Record<string, { command?: string[]; environment?: Record<string, string> }>;
}

export type EcsRequest =
  | { operation: "RunTask"; input: RunTaskCommandInput }
  | { operation: "StartTask"; input: StartTaskCommandInput };

/**
 * RunTask startedBy: `ecs-jobs/<job>/<runId>` (≤ 128; letters, digits, '-', '/', '_' as ECS allows).
 * It names the job so the concurrency policy can find a job's active tasks, and the run so the status
 * handler can find the run without any lookup table.
 */
export const runTaskStartedBy = (job: string, runId: string): string =>
  `${STARTED_BY_PREFIX}/${job}/${runId}`;
/** StartTask allows only 36 characters, so only the run id fits; the ledger knows its job. */
export const startTaskStartedBy = (runId: string): string => `${STARTED_BY_PREFIX}/${runId}`;

/** Reads back what runTaskStartedBy/startTaskStartedBy wrote; undefined for tasks this system did not start. */
export function parseStartedBy(startedBy: string | undefined): { job?: string; runId: string } | undefined {
  if (!startedBy) return undefined;
  const parts = startedBy.split("/");
  if (parts[0] !== STARTED_BY_PREFIX) return undefined;
  if (parts.length === 3 && parts[1] && parts[2]) return { job: parts[1], runId: parts[2] };
  if (parts.length === 2 && parts[1]) return { runId: parts[1] };
  return undefined;
}

/** clientToken of the i-th RunTask call of a run: a retried invocation of the same trigger reuses it. */
export const clientTokenFor = (runId: string, batch: number): string => `${runId}-${batch}`;

/** As the ECS console's placement templates define them. */
const TEMPLATE_STRATEGIES: Record<string, PlacementStrategy[]> = {
  azBalancedSpread: [
    { type: "spread", field: "attribute:ecs.availability-zone" },
    { type: "spread", field: "instanceId" },
  ],
  azBalancedBinpack: [
    { type: "spread", field: "attribute:ecs.availability-zone" },
    { type: "binpack", field: "memory" },
  ],
  binpack: [{ type: "binpack", field: "memory" }],
  oneTaskPerHost: [],
};
const TEMPLATE_CONSTRAINTS: Record<string, PlacementConstraint[]> = {
  oneTaskPerHost: [{ type: "distinctInstance" }],
};

function placementOf(task: TaskSpec): {
  placementStrategy?: PlacementStrategy[];
  placementConstraints?: PlacementConstraint[];
} {
  const p = task.placement;
  if (!p) return {};
  const strategy = [...(p.template ? (TEMPLATE_STRATEGIES[p.template] ?? []) : []), ...(p.strategy ?? [])];
  const constraints = [
    ...(p.template ? (TEMPLATE_CONSTRAINTS[p.template] ?? []) : []),
    ...(p.constraints ?? []),
  ];
  return {
    ...(strategy.length > 0 && { placementStrategy: strategy }),
    ...(constraints.length > 0 && { placementConstraints: constraints }),
  };
}

type SpecContainer = NonNullable<TaskSpec["overrides"]>["containers"][number];

function containerOverride(
  c: SpecContainer,
  extra: { command?: string[]; environment?: Record<string, string> } = {},
) {
  const command = extra.command ?? c.command;
  const env = { ...c.environment, ...extra.environment };
  const names = Object.keys(env).sort();
  const o: ContainerOverride = { name: c.name };
  if (command) o.command = command;
  if (names.length > 0) o.environment = names.map((name) => ({ name, value: env[name] ?? "" }));
  if (c.cpu !== undefined) o.cpu = c.cpu;
  if (c.memory !== undefined) o.memory = c.memory;
  if (c.memoryReservation !== undefined) o.memoryReservation = c.memoryReservation;
  return o;
}

/** The TaskOverride of one run; undefined when nothing is overridden. */
export function taskOverrides(task: TaskSpec, extra: RunOverrides = {}): TaskOverride | undefined {
  const o = task.overrides;
  const containers = [...(o?.containers ?? [])];
  for (const name of Object.keys(extra.containers ?? {})) {
    if (!containers.some((c) => c.name === name)) containers.push({ name });
  }
  const out: TaskOverride = {};
  if (containers.length > 0)
    out.containerOverrides = containers.map((c) => containerOverride(c, extra.containers?.[c.name]));
  const cpu = extra.cpu ?? o?.cpu;
  const memory = extra.memory ?? o?.memory;
  if (cpu !== undefined) out.cpu = cpu;
  if (memory !== undefined) out.memory = memory;
  if (o?.taskRoleArn) out.taskRoleArn = o.taskRoleArn;
  if (o?.executionRoleArn) out.executionRoleArn = o.executionRoleArn;
  if (o?.ephemeralStorageGiB !== undefined) out.ephemeralStorage = { sizeInGiB: o.ephemeralStorageGiB };
  return Object.keys(out).length > 0 ? out : undefined;
}

function tagsOf(job: string, runId: string, spec: JobSpec): Tag[] {
  return [
    ...Object.entries(spec.task.tags).map(([key, value]) => ({ key, value })),
    { key: TAG_JOB, value: job },
    { key: TAG_RUN, value: runId },
  ];
}

/** The parts RunTask and StartTask share. */
function common(job: Job, runId: string, extra: RunOverrides) {
  const t = job.spec.task;
  const overrides = taskOverrides(t, extra);
  return {
    cluster: t.cluster,
    taskDefinition: t.taskDefinition,
    ...(t.group && { group: t.group }),
    ...(t.network && {
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: t.network.subnets,
          ...(t.network.securityGroups.length > 0 && { securityGroups: t.network.securityGroups }),
          assignPublicIp: t.network.assignPublicIp ? ("ENABLED" as const) : ("DISABLED" as const),
        },
      },
    }),
    ...(overrides && { overrides }),
    tags: tagsOf(job.name, runId, job.spec),
    enableECSManagedTags: t.enableECSManagedTags,
    ...(t.propagateTags && { propagateTags: t.propagateTags }),
  };
}

/** The RunTask calls of one run, in order: `count` split into calls of at most 10. */
export function runTaskRequests(job: Job, runId: string, extra: RunOverrides = {}): EcsRequest[] {
  const t = job.spec.task;
  const base = common(job, runId, extra);
  const total = extra.count ?? t.count;
  const requests: EcsRequest[] = [];
  for (let batch = 0, left = total; left > 0; batch++, left -= RUN_TASK_MAX_COUNT) {
    const input: RunTaskCommandInput = {
      ...base,
      count: Math.min(left, RUN_TASK_MAX_COUNT),
      ...(t.launchType && { launchType: t.launchType }),
      ...(t.capacityProviderStrategy && { capacityProviderStrategy: t.capacityProviderStrategy }),
      ...(t.platformVersion && { platformVersion: t.platformVersion }),
      ...placementOf(t),
      startedBy: runTaskStartedBy(job.name, runId),
      clientToken: clientTokenFor(runId, batch),
    };
    requests.push({ operation: "RunTask", input });
  }
  return requests;
}

/** The StartTask call that starts an onInstanceLaunch job on one container instance. */
export function startTaskRequest(job: Job, runId: string, containerInstanceArn: string): EcsRequest {
  const input: StartTaskCommandInput = {
    ...common(job, runId, {}),
    containerInstances: [containerInstanceArn],
    startedBy: startTaskStartedBy(runId),
  };
  return { operation: "StartTask", input };
}
