/**
 * Rules that span several fields, checked after the schema. Each returns the path of the field at fault so
 * the loader can point at the right line. Sources: ECS RunTask/StartTask API reference.
 */

import { execAllowlistIssues } from "./exec-environment.ts";
import { runTaskRequests, startTaskRequest } from "./requests.ts";
import type { Job, JobSpec } from "./schema.ts";

export interface RuleIssue {
  path: (string | number)[];
  message: string;
}

/** ECS rejects a RunTask whose overrides serialise to more than 8192 characters. */
export const MAX_OVERRIDES_JSON = 8192;
const MAX_RUN_TASK_STARTED_BY = 128;
const MAX_START_TASK_STARTED_BY = 36;
const MAX_CLIENT_TOKEN = 64;
/** The longest run id the launcher makes (src/runs/run-id.ts), used to check startedBy lengths up front. */
const LONGEST_RUN_ID = "20261122T030000Z-0123abcd";

const usesFargate = (s: JobSpec): boolean =>
  s.task.launchType === "FARGATE" ||
  (s.task.capacityProviderStrategy ?? []).some((c) => c.capacityProvider.startsWith("FARGATE"));

export function crossFieldIssues(name: string, spec: JobSpec): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const t = spec.task;
  const add = (path: (string | number)[], message: string) => issues.push({ path, message });

  if (t.launchType && t.capacityProviderStrategy) {
    add(["task", "capacityProviderStrategy"], "set launchType or capacityProviderStrategy, not both");
  }
  if (usesFargate(spec) && !t.network) {
    add(["task", "network"], "Fargate tasks use awsvpc networking: task.network with subnets is required");
  }
  if (t.placement) {
    if (usesFargate(spec) || t.launchType === "EXTERNAL") {
      add(["task", "placement"], "placement strategies and constraints apply to the EC2 launch type only");
    }
    if (t.placement.template && t.placement.strategy) {
      add(["task", "placement", "strategy"], "use a placement template or an explicit strategy, not both");
    }
  }
  if (t.platformVersion && !usesFargate(spec)) {
    add(["task", "platformVersion"], "platformVersion applies to Fargate only");
  }
  (t.capacityProviderStrategy ?? []).forEach((c, i) => {
    if (c.base && (t.capacityProviderStrategy ?? []).some((o, j) => j < i && o.base)) {
      add(["task", "capacityProviderStrategy", i, "base"], "only one capacity provider can have a base");
    }
  });
  if (t.capacityProviderStrategy && !t.capacityProviderStrategy.some((c) => (c.weight ?? 0) > 0)) {
    add(["task", "capacityProviderStrategy"], "at least one capacity provider needs a weight above 0");
  }
  if (
    spec.policy.spotFallback &&
    !(t.capacityProviderStrategy ?? []).some((c) => c.capacityProvider === "FARGATE_SPOT")
  ) {
    add(["policy", "spotFallback"], "spotFallback needs a capacityProviderStrategy with FARGATE_SPOT");
  }
  if (spec.onInstanceLaunch) {
    if (usesFargate(spec) || t.launchType === "EXTERNAL" || t.capacityProviderStrategy) {
      add(["onInstanceLaunch"], "StartTask at instance launch works on EC2 container instances only");
    }
    if (t.count !== 1)
      add(["task", "count"], "onInstanceLaunch starts one task per instance: count must be 1");
  }
  const names = new Set<string>();
  (t.overrides?.containers ?? []).forEach((c, i) => {
    if (names.has(c.name))
      add(["task", "overrides", "containers", i, "name"], `container ${c.name} is listed twice`);
    names.add(c.name);
  });
  if (spec.schedule?.startDate && spec.schedule.endDate && spec.schedule.startDate >= spec.schedule.endDate) {
    add(["schedule", "endDate"], "endDate must be after startDate");
  }

  const job: Job = { name, file: "", spec };
  const [first] = runTaskRequests(job, LONGEST_RUN_ID);
  if (first?.operation === "RunTask") {
    const size = JSON.stringify(first.input.overrides ?? {}).length;
    if (size > MAX_OVERRIDES_JSON) {
      add(
        ["task", "overrides"],
        `overrides are ${size} characters as JSON; ECS allows ${MAX_OVERRIDES_JSON}`,
      );
    }
    if ((first.input.startedBy ?? "").length > MAX_RUN_TASK_STARTED_BY) {
      add(["name"], `startedBy would exceed ${MAX_RUN_TASK_STARTED_BY} characters`);
    }
    if ((first.input.clientToken ?? "").length > MAX_CLIENT_TOKEN) {
      add(["name"], `clientToken would exceed ${MAX_CLIENT_TOKEN} characters`);
    }
  }
  if (spec.onInstanceLaunch) {
    const start = startTaskRequest(job, LONGEST_RUN_ID, "instance");
    if ((start.input.startedBy ?? "").length > MAX_START_TASK_STARTED_BY) {
      add(["onInstanceLaunch"], `StartTask startedBy would exceed ${MAX_START_TASK_STARTED_BY} characters`);
    }
  }
  issues.push(...execAllowlistIssues(spec));
  return issues;
}
