/**
 * RunTask and StartTask: the checks ECS makes before launching (with its error texts), capacity and
 * placement, clientToken idempotency, and the new tasks handed to the lifecycle.
 */
import { createHash } from "node:crypto";
import type {
  CapacityProviderStrategyItem,
  Failure,
  RunTaskRequest,
  StartTaskRequest,
} from "@aws-sdk/client-ecs";
import { clientError, EcsApiError, invalidParameter } from "./api-error.ts";
import { containerInstanceArn } from "./arns.ts";
import { findInstance, remaining } from "./clusters.ts";
import { type EmulatorCore, FARGATE_PROVIDERS } from "./core.ts";
import {
  canonical,
  checkNetwork,
  checkOverrides,
  checkTags,
  launchableDefinition,
  taskTags,
} from "./launch-checks.ts";
import { allocateProviders, placeTasks } from "./placement.ts";
import type { ClusterRecord, ContainerInstanceRecord, TaskDefinitionRecord, TaskRecord } from "./records.ts";
import {
  type BehaviourContext,
  BehaviourError,
  checkBehaviour,
  type LocalBehaviour,
} from "./task-behaviour.ts";
import { applyOverrides, createTaskRecord, newTaskId, reservationOf } from "./task-factory.ts";
import { taskView } from "./task-ops.ts";

const CAPACITY_UNAVAILABLE =
  "Capacity is unavailable at this time. Please try again later or in a different availability zone";
/** How long ECS remembers a RunTask clientToken. */
const CLIENT_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;

async function behaviourFor(core: EmulatorCore, ctx: BehaviourContext): Promise<LocalBehaviour> {
  try {
    return checkBehaviour(await core.options.behaviour(ctx)).behaviour;
  } catch (e) {
    if (e instanceof BehaviourError)
      throw clientError(`Local behaviour of the task is invalid: ${e.message}`);
    throw e;
  }
}

interface Target {
  launchType: string;
  capacityProviderName: string | undefined;
  instance: ContainerInstanceRecord | undefined;
}

function strategyFor(
  cluster: ClusterRecord,
  input: RunTaskRequest,
): CapacityProviderStrategyItem[] | undefined {
  if (input.capacityProviderStrategy?.length) return input.capacityProviderStrategy;
  if (input.launchType) return undefined;
  const d = cluster.cluster.defaultCapacityProviderStrategy ?? [];
  return d.length > 0 ? d : undefined;
}

/** Where each of the `count` tasks goes, and the failures of those that go nowhere. */
function targets(
  core: EmulatorCore,
  cluster: ClusterRecord,
  def: TaskDefinitionRecord,
  input: RunTaskRequest,
  count: number,
): { targets: Target[]; failures: Failure[] } {
  if (input.launchType && input.capacityProviderStrategy?.length)
    throw invalidParameter(
      "Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.",
      "capacityProviderStrategy",
    );
  const strategy = strategyFor(cluster, input);
  let providers: (string | undefined)[];
  let launchType: string;
  if (strategy) {
    const associated = cluster.cluster.capacityProviders ?? [];
    for (const s of strategy) {
      if (!associated.includes(s.capacityProvider as string))
        throw invalidParameter(
          "The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster. Associate the capacity provider with the cluster or specify a valid capacity provider and try again.",
          "capacityProviderStrategy",
        );
    }
    const fargate = strategy.filter((s) => FARGATE_PROVIDERS.includes(s.capacityProvider as string)).length;
    if (fargate > 0 && fargate < strategy.length)
      throw invalidParameter(
        "The specified capacity provider strategy cannot contain a mix of capacity providers using Auto Scaling groups and Fargate providers. Specify one or the other and try again.",
        "capacityProviderStrategy",
      );
    launchType = fargate > 0 ? "FARGATE" : "EC2";
    providers = allocateProviders(strategy, count);
  } else {
    launchType = input.launchType ?? "EC2";
    providers = Array.from({ length: count }, () => undefined);
  }
  const compat = def.taskDefinition.compatibilities ?? [];
  if (launchType === "FARGATE") {
    if (!compat.includes("FARGATE"))
      throw invalidParameter("Task definition does not support launch_type FARGATE.", "taskDefinition");
    if (input.placementConstraints?.length || input.placementStrategy?.length)
      throw invalidParameter(
        "Task placement is not supported for the FARGATE launch type.",
        "placementStrategy",
      );
  }
  checkNetwork(def, input.networkConfiguration);
  if (launchType === "FARGATE") return fargateTargets(core, providers);
  return instanceTargets(core, cluster, def, input, providers, launchType);
}

function fargateTargets(core: EmulatorCore, providers: (string | undefined)[]) {
  const out: Target[] = [];
  const failures: Failure[] = [];
  for (const p of providers) {
    if (core.capacity.get(p ?? "FARGATE") === false) {
      if (!failures.some((f) => f.reason === CAPACITY_UNAVAILABLE))
        failures.push({ reason: CAPACITY_UNAVAILABLE });
      continue;
    }
    out.push({ launchType: "FARGATE", capacityProviderName: p, instance: undefined });
  }
  return { targets: out, failures };
}

function instanceTargets(
  core: EmulatorCore,
  cluster: ClusterRecord,
  def: TaskDefinitionRecord,
  input: RunTaskRequest,
  providers: (string | undefined)[],
  launchType: string,
) {
  const containers = applyOverrides(def.taskDefinition.containerDefinitions, input.overrides);
  const need = reservationOf(def, containers, input.overrides);
  const all = [...core.store.containerInstances.values()].filter(
    (i) => i.clusterArn === cluster.cluster.clusterArn,
  );
  const out: Target[] = [];
  const failures: Failure[] = [];
  // Tasks of one capacity provider go to that provider's instances (any instance when none is tagged).
  for (const provider of new Set(providers)) {
    const count = providers.filter((p) => p === provider).length;
    const own = all.filter((i) => i.instance.capacityProviderName === provider);
    const instances = provider !== undefined && own.length > 0 ? own : all;
    const r = placeTasks({
      instances,
      count,
      need,
      free: (i) => remaining(core, i),
      load: (i) =>
        core
          .visibleTasks(cluster.cluster.clusterArn)
          .filter(
            (t) =>
              t.task.containerInstanceArn === i.instance.containerInstanceArn &&
              t.task.lastStatus !== "STOPPED",
          ).length,
      strategy: input.placementStrategy ?? [],
      constraints: input.placementConstraints ?? [],
      random: Math.random,
    });
    for (const instance of r.placed) out.push({ launchType, capacityProviderName: provider, instance });
    failures.push(...r.failures);
  }
  return { targets: out, failures };
}

async function launch(
  core: EmulatorCore,
  cluster: ClusterRecord,
  def: TaskDefinitionRecord,
  input: RunTaskRequest | StartTaskRequest,
  targetList: Target[],
): Promise<TaskRecord[]> {
  const tags = taskTags(cluster, def, input);
  const prepared: TaskRecord[] = [];
  for (const t of targetList) {
    const taskId = newTaskId();
    const rec = createTaskRecord(core, {
      cluster,
      definition: def,
      overrides: input.overrides,
      launchType: t.launchType,
      capacityProviderName: t.capacityProviderName,
      instance: t.instance,
      subnets: input.networkConfiguration?.awsvpcConfiguration?.subnets,
      startedBy: input.startedBy,
      group: input.group,
      platformVersion: "platformVersion" in input ? input.platformVersion : undefined,
      tags,
      enableExecuteCommand: input.enableExecuteCommand,
      behaviour: { outcome: "succeed", durationSeconds: 0 },
      taskId,
    });
    rec.behaviour = await behaviourFor(core, {
      cluster: cluster.cluster.clusterArn,
      taskDefinition: structuredClone(def.taskDefinition),
      overrides: structuredClone(input.overrides),
      startedBy: input.startedBy,
      launchType: "containerInstances" in input ? "EC2" : input.launchType,
      capacityProviderStrategy: "containerInstances" in input ? undefined : input.capacityProviderStrategy,
      capacityProviderName: t.capacityProviderName,
      group: input.group,
      taskArn: rec.task.taskArn,
    });
    prepared.push(rec);
  }
  // Only once every behaviour resolved: a resolver error launches nothing.
  for (const rec of prepared) {
    core.store.tasks.set(rec.task.taskArn, rec);
    core.lifecycle.start(rec);
  }
  return prepared;
}

export async function runTask(core: EmulatorCore, input: RunTaskRequest) {
  const cluster = core.cluster(input.cluster);
  const tokenKey =
    input.clientToken === undefined ? undefined : `${cluster.cluster.clusterArn} ${input.clientToken}`;
  if (tokenKey === undefined) return runTaskOnce(core, cluster, input, undefined);
  // A retry that arrives while the first attempt is still launching waits for it, then sees its token.
  for (let inflight = core.inflight.get(tokenKey); inflight; inflight = core.inflight.get(tokenKey)) {
    await inflight.catch(() => {});
  }
  const attempt = runTaskOnce(core, cluster, input, tokenKey);
  core.inflight.set(tokenKey, attempt);
  try {
    return await attempt;
  } finally {
    core.inflight.delete(tokenKey);
  }
}

async function runTaskOnce(
  core: EmulatorCore,
  cluster: ClusterRecord,
  input: RunTaskRequest,
  tokenKey: string | undefined,
) {
  const { clientToken: _token, ...rest } = input;
  const requestHash = createHash("sha256").update(canonical(rest)).digest("hex");
  if (tokenKey) {
    const seen = core.store.clientTokens.get(tokenKey);
    if (seen && core.options.clock.now() - seen.at < CLIENT_TOKEN_TTL_MS) {
      if (seen.requestHash !== requestHash)
        throw new EcsApiError(
          "ConflictException",
          "The clientToken has already been used in a RunTask request with different parameters.",
          { field: "clientToken" },
        );
      const tasks = seen.taskArns.flatMap((arn) => {
        const rec = core.store.tasks.get(arn);
        return rec ? [taskView(rec, true)] : [];
      });
      return { tasks, failures: seen.failures };
    }
  }
  const def = launchableDefinition(core, input.taskDefinition as string);
  checkOverrides(def, input.overrides);
  checkTags(input.tags);
  const count = input.count ?? 1;
  const planned = targets(core, cluster, def, input, count);
  const launched = await launch(core, cluster, def, input, planned.targets);
  if (tokenKey) {
    core.store.clientTokens.set(tokenKey, {
      requestHash,
      taskArns: launched.map((r) => r.task.taskArn),
      failures: planned.failures,
      at: core.options.clock.now(),
    });
    core.persist();
  }
  return { tasks: launched.map((r) => taskView(r, true)), failures: planned.failures };
}

export async function startTask(core: EmulatorCore, input: StartTaskRequest) {
  const cluster = core.cluster(input.cluster);
  const def = launchableDefinition(core, input.taskDefinition as string);
  checkOverrides(def, input.overrides);
  checkTags(input.tags);
  checkNetwork(def, input.networkConfiguration);
  const containers = applyOverrides(def.taskDefinition.containerDefinitions, input.overrides);
  const need = reservationOf(def, containers, input.overrides);
  const targetList: Target[] = [];
  const failures: Failure[] = [];
  for (const ref of input.containerInstances ?? []) {
    const rec = findInstance(core, cluster.cluster.clusterArn, ref);
    const arn =
      rec?.instance.containerInstanceArn ??
      (ref.startsWith("arn:") ? ref : containerInstanceArn(core.arn, cluster.cluster.clusterName, ref));
    if (!rec) {
      failures.push({ arn, reason: "MISSING" });
      continue;
    }
    if (rec.instance.status === "INACTIVE") {
      failures.push({ arn, reason: "INACTIVE" });
      continue;
    }
    if (!rec.instance.agentConnected) {
      failures.push({ arn, reason: "AGENT" });
      continue;
    }
    const free = remaining(core, rec);
    if (free.cpu < need.cpu) failures.push({ arn, reason: "RESOURCE:CPU" });
    else if (free.memory < need.memory) failures.push({ arn, reason: "RESOURCE:MEMORY" });
    else
      targetList.push({
        launchType: "EC2",
        capacityProviderName: rec.instance.capacityProviderName,
        instance: rec,
      });
  }
  const launched = await launch(core, cluster, def, input, targetList);
  return { tasks: launched.map((r) => taskView(r, true)), failures };
}
