import type { EcsContainer, EcsTaskDetail } from "./events.ts";
import type { ContainerState, Run, TaskBilling, TaskState } from "./model.ts";
import { mergeRan } from "./ran.ts";

/*
 * Merges one "ECS Task State Change" into a run. ECS delivers these at least once and in no guaranteed
 * order; `detail.version` grows with every change of the task, so it both orders events and identifies
 * duplicates (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_cwe_events.html).
 */

export type ApplyResult = Run | "stale" | "duplicate";

export function applyTaskEvent(run: Run, detail: EcsTaskDetail): ApplyResult {
  const index = run.tasks.findIndex((t) => t.taskArn === detail.taskArn);
  const previous = index >= 0 ? run.tasks[index] : undefined;
  // A task the launcher recorded from the RunTask response has no version yet: any event is newer.
  if (previous?.version !== undefined) {
    if (detail.version < previous.version) return "stale";
    if (detail.version === previous.version) return "duplicate";
  }
  const task = mergeTask(previous, detail);
  const tasks = index >= 0 ? run.tasks.map((t, i) => (i === index ? task : t)) : [...run.tasks, task];
  const ran = mergeRan(run.ran, detail);
  return { ...run, tasks, ...(ran && { ran }) };
}

function mergeTask(previous: TaskState | undefined, d: EcsTaskDetail): TaskState {
  // Facts such as startedAt never un-happen: a newer event that omits one keeps the one already known.
  const startedAt = d.startedAt ?? previous?.startedAt;
  const stoppedAt =
    d.stoppedAt ?? (d.lastStatus === "STOPPED" ? d.executionStoppedAt : undefined) ?? previous?.stoppedAt;
  const stopCode = d.stopCode ?? previous?.stopCode;
  const stoppedReason = d.stoppedReason ?? previous?.stoppedReason;
  return {
    taskArn: d.taskArn,
    lastStatus: d.lastStatus,
    version: d.version,
    started: previous?.started === true || d.lastStatus === "RUNNING" || startedAt !== undefined,
    ...(stopCode !== undefined && { stopCode }),
    ...(stoppedReason !== undefined && { stoppedReason }),
    ...(startedAt !== undefined && { startedAt }),
    ...(stoppedAt !== undefined && { stoppedAt }),
    containers: mergeContainers(previous?.containers ?? [], d.containers),
    ...billingOf(previous?.billing, d),
  };
}

const MAX_FACT = 64;
/** A short string, else undefined: these fields are not checked by the event schema (events.ts). */
const fact = (value: unknown): string | undefined =>
  typeof value === "string" && value.length > 0 && value.length <= MAX_FACT ? value : undefined;

function architectureOf(attributes: unknown): string | undefined {
  if (!Array.isArray(attributes)) return undefined;
  const found = attributes.find(
    (a: unknown) => (a as { name?: unknown } | null)?.name === "ecs.cpu-architecture",
  ) as { value?: unknown } | undefined;
  return fact(found?.value);
}

/** What the cost estimate reads from the task, each fact kept once known (as startedAt is). */
function billingOf(previous: TaskBilling | undefined, d: EcsTaskDetail): { billing?: TaskBilling } {
  const pulled = fact(d.pullStartedAt);
  const billing: TaskBilling = { ...previous };
  const set = (key: keyof TaskBilling, value: string | undefined) => {
    if (value !== undefined) billing[key] = value;
  };
  set("cpu", fact(d.cpu));
  set("memory", fact(d.memory));
  set("launchType", d.launchType);
  set("capacityProviderName", d.capacityProviderName);
  set("platformFamily", fact(d.platformFamily));
  set("cpuArchitecture", architectureOf(d.attributes));
  set("pullStartedAt", pulled !== undefined && !Number.isNaN(Date.parse(pulled)) ? pulled : undefined);
  return Object.keys(billing).length > 0 ? { billing } : {};
}

/**
 * The event lists the task's containers, so it decides which exist; `essential` is not in the event
 * (it comes from the task definition, recorded by the launcher) and is carried over by container name.
 */
function mergeContainers(
  previous: readonly ContainerState[],
  next: readonly EcsContainer[],
): ContainerState[] {
  if (next.length === 0) return previous.map((c) => ({ ...c }));
  return next.map((c) => {
    const p = previous.find((q) => q.name === c.name);
    const exitCode = c.exitCode ?? p?.exitCode;
    const reason = c.reason ?? p?.reason;
    const lastStatus = c.lastStatus ?? p?.lastStatus;
    return {
      name: c.name,
      ...(exitCode !== undefined && { exitCode }),
      ...(reason !== undefined && { reason }),
      ...(lastStatus !== undefined && { lastStatus }),
      ...(p?.essential !== undefined && { essential: p.essential }),
    };
  });
}
