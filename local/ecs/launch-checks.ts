/** The checks ECS makes on a RunTask/StartTask request before launching, with its error texts. */
import type { NetworkConfiguration, Tag, TaskOverride } from "@aws-sdk/client-ecs";
import { clientError, invalidParameter } from "./api-error.ts";
import type { EmulatorCore } from "./core.ts";
import type { ClusterRecord, TaskDefinitionRecord } from "./records.ts";
import { findTaskDefinition } from "./task-definition-ops.ts";

const MAX_OVERRIDES_LENGTH = 8192;

export function launchableDefinition(core: EmulatorCore, ref: string): TaskDefinitionRecord {
  const rec = findTaskDefinition(core, ref);
  if (!rec) throw clientError("TaskDefinition not found.");
  if (rec.taskDefinition.status !== "ACTIVE") throw clientError("TaskDefinition is inactive");
  return rec;
}

export function checkNetwork(def: TaskDefinitionRecord, network: NetworkConfiguration | undefined): void {
  const awsvpc = network?.awsvpcConfiguration;
  if (def.taskDefinition.networkMode === "awsvpc") {
    if (!awsvpc)
      throw invalidParameter(
        "Network Configuration must be provided when networkMode 'awsvpc' is specified.",
        "networkConfiguration",
      );
    if ((awsvpc.subnets ?? []).length === 0)
      throw invalidParameter("subnets can not be empty.", "networkConfiguration.awsvpcConfiguration.subnets");
  } else if (network) {
    throw invalidParameter(
      "Network Configuration is not valid for the given networkMode of this task definition.",
      "networkConfiguration",
    );
  }
}

export function checkOverrides(def: TaskDefinitionRecord, overrides: TaskOverride | undefined): void {
  if (!overrides) return;
  const names = new Set(def.taskDefinition.containerDefinitions.map((d) => d.name));
  for (const [i, o] of (overrides.containerOverrides ?? []).entries()) {
    if (!names.has(o.name))
      throw invalidParameter(
        `Override for container named ${o.name} is not a container in the TaskDefinition.`,
        `overrides.containerOverrides[${i}].name`,
      );
  }
  if (JSON.stringify(overrides).length > MAX_OVERRIDES_LENGTH)
    throw invalidParameter(`Container Overrides length must be at most ${MAX_OVERRIDES_LENGTH}`, "overrides");
}

export function checkTags(tags: readonly Tag[] | undefined): void {
  for (const [i, t] of (tags ?? []).entries()) {
    if (t.key?.toLowerCase().startsWith("aws:"))
      throw invalidParameter(
        "Tag keys and values beginning with 'aws:' are reserved for AWS use and cannot be set.",
        `tags[${i}].key`,
      );
  }
}

/** The task's tags: propagated from the task definition, then the request's own (which win), then ECS's. */
export function taskTags(
  cluster: ClusterRecord,
  def: TaskDefinitionRecord,
  input: {
    tags?: Tag[] | undefined;
    propagateTags?: string | undefined;
    enableECSManagedTags?: boolean | undefined;
  },
): Tag[] {
  const byKey = new Map<string, string | undefined>();
  if (input.propagateTags === "TASK_DEFINITION") for (const t of def.tags) byKey.set(t.key ?? "", t.value);
  for (const t of input.tags ?? []) byKey.set(t.key ?? "", t.value);
  if (input.enableECSManagedTags) byKey.set("aws:ecs:clusterName", cluster.cluster.clusterName);
  return [...byKey].map(([key, value]) => ({ key, value }));
}

/** Canonical JSON: the same request always hashes the same, whatever the key order. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object")
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(value);
}
