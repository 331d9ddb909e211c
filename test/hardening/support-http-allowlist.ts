/**
 * What the ECS emulator was asked to run, checked against each job's `http.allowOverrides`: an oracle
 * written apart from src/http/overrides.ts, so a bug there cannot hide itself. A RunTask may differ from
 * the job's own request (`runTaskRequests` without extras) only in what the allowlist names: the command
 * and environment variables of the containers it names, cpu, memory, and the number of tasks.
 */
import { isDeepStrictEqual } from "node:util";
import type { Task } from "@aws-sdk/client-ecs";
import { parseStartedBy, runTaskRequests } from "../../src/jobspec/requests.ts";
import type { Job } from "../../src/jobspec/schema.ts";

interface Allow {
  container?: string;
  item: string;
}

/** `count`, `cpu`, `memory`, `[C.]command`, `[C.]environment.NAME|*`; unprefixed = the default container. */
function allowlist(job: Job, defaultContainer: string): Allow[] {
  const http = job.spec.http;
  const entries = typeof http === "object" ? http.allowOverrides : [];
  return entries.map((e) => {
    if (e === "count" || e === "cpu" || e === "memory") return { item: e };
    const m = /^(?:([A-Za-z0-9_-]+)\.)?(command|environment\..+)$/.exec(e);
    if (!m?.[2]) throw new Error(`allowlist entry the oracle cannot read: ${e}`);
    return { container: m[1] ?? defaultContainer, item: m[2] };
  });
}

const allows = (list: Allow[], container: string | undefined, item: string) =>
  list.some(
    (a) =>
      a.container === container &&
      (a.item === item || (a.item === "environment.*" && item.startsWith("environment."))),
  );

interface ContainerOverride {
  name?: string;
  command?: string[];
  environment?: { name?: string; value?: string }[];
  [k: string]: unknown;
}

interface Overrides {
  containerOverrides?: ContainerOverride[];
  cpu?: string;
  memory?: string;
  [k: string]: unknown;
}

const plain = <T>(v: T): T => JSON.parse(JSON.stringify(v ?? null)) as T;

/** Why `actual` (a RunTask's or a task's overrides) is not something a caller may ask of `job`; [] = fine. */
export function overrideViolations(job: Job, runId: string, actual: Overrides | undefined): string[] {
  const [first] = runTaskRequests(job, runId);
  const base = plain((first?.input as { overrides?: unknown } | undefined)?.overrides ?? {}) as Overrides;
  const got = plain(actual ?? {});
  const defaultContainer = job.spec.task.overrides?.containers[0]?.name ?? "app";
  const allow = allowlist(job, defaultContainer);
  const out: string[] = [];
  const where = `${job.name} run ${runId}`;
  for (const key of new Set([...Object.keys(base), ...Object.keys(got)])) {
    if (key === "containerOverrides") continue;
    if (isDeepStrictEqual(base[key], got[key])) continue;
    if ((key === "cpu" || key === "memory") && allows(allow, undefined, key)) continue;
    out.push(`${where}: overrides.${key} ${JSON.stringify(got[key])} (job: ${JSON.stringify(base[key])})`);
  }
  const baseContainers = new Map((base.containerOverrides ?? []).map((c) => [c.name, c]));
  for (const c of got.containerOverrides ?? []) {
    const name = c.name ?? "";
    const b = baseContainers.get(name) ?? { name };
    for (const key of new Set([...Object.keys(b), ...Object.keys(c)])) {
      if (key === "environment" || key === "name") continue;
      if (isDeepStrictEqual(b[key], c[key])) continue;
      if (key === "command" && allows(allow, name, "command")) continue;
      out.push(`${where}: container ${name} ${key} ${JSON.stringify(c[key])}`);
    }
    const baseEnv = new Map((b.environment ?? []).map((e) => [e.name, e.value]));
    const env = new Map((c.environment ?? []).map((e) => [e.name, e.value]));
    for (const [k, v] of baseEnv) if (!env.has(k)) out.push(`${where}: container ${name} lost env ${k}=${v}`);
    for (const [k, v] of env) {
      if (baseEnv.get(k) === v && baseEnv.has(k)) continue;
      if (!allows(allow, name, `environment.${k}`))
        out.push(`${where}: container ${name} environment ${k} is not in the allowlist`);
    }
  }
  for (const name of baseContainers.keys())
    if (!(got.containerOverrides ?? []).some((c) => c.name === name))
      out.push(`${where}: container override ${name} of the job is gone`);
  return out;
}

/** A task shows an entry for every container and an empty accelerator list: neither is an override. */
function taskView(o: Overrides | undefined): Overrides | undefined {
  if (!o) return o;
  const { inferenceAcceleratorOverrides: acc, containerOverrides: all, ...rest } = o;
  const containerOverrides = (all ?? []).filter((c) => Object.keys(c).some((k) => k !== "name"));
  return {
    ...rest,
    ...(Array.isArray(acc) && acc.length === 0 ? {} : { inferenceAcceleratorOverrides: acc }),
    ...(containerOverrides.length > 0 && { containerOverrides }),
  };
}

interface RunTaskInput {
  count?: number;
  startedBy?: string;
  clientToken?: string;
  overrides?: Overrides;
  [k: string]: unknown;
}

export interface LaunchAudit {
  runTasks: number;
  tasks: number;
  /** RunTask calls whose overrides differ from the job's own: the allowlist was exercised. */
  overridden: number;
  violations: string[];
}

/** Checks every RunTask the emulator received and every task it holds. */
export function auditLaunches(
  jobs: readonly Job[],
  calls: readonly { operation: string; input: unknown }[],
  tasks: readonly Task[],
): LaunchAudit {
  const byName = new Map(jobs.map((j) => [j.name, j]));
  const violations: string[] = [];
  const counts = new Map<string, number>();
  let runTasks = 0;
  let overridden = 0;
  for (const call of calls) {
    if (call.operation !== "RunTask") continue;
    runTasks++;
    const input = plain(call.input as RunTaskInput);
    const owner = parseStartedBy(input.startedBy);
    const job = owner?.job ? byName.get(owner.job) : undefined;
    if (!owner || !job) {
      violations.push(`RunTask by an unknown starter: ${input.startedBy}`);
      continue;
    }
    const [first] = runTaskRequests(job, owner.runId);
    const base = plain(first?.input as unknown as RunTaskInput);
    // Everything but the overrides, the count and the batch's clientToken is the job's, untouched.
    const strip = ({ overrides: _o, count: _c, clientToken: _t, ...rest }: RunTaskInput) => rest;
    if (!isDeepStrictEqual(strip(input), strip(base)))
      violations.push(`${job.name}: RunTask differs from the job's request: ${JSON.stringify(input)}`);
    const found = overrideViolations(job, owner.runId, input.overrides);
    violations.push(...found);
    if (!isDeepStrictEqual(plain(input.overrides ?? {}), plain(base.overrides ?? {}))) overridden++;
    counts.set(owner.runId, (counts.get(owner.runId) ?? 0) + (input.count ?? 1));
    const allowCount = typeof job.spec.http === "object" && job.spec.http.allowOverrides.includes("count");
    if (!allowCount && (input.count ?? 1) !== base.count)
      violations.push(
        `${job.name} run ${owner.runId}: count ${input.count} but count is not in the allowlist`,
      );
  }
  for (const task of tasks) {
    const owner = parseStartedBy(task.startedBy);
    const job = owner?.job ? byName.get(owner.job) : undefined;
    if (!owner || !job) {
      violations.push(`task ${task.taskArn} started by an unknown starter: ${task.startedBy}`);
      continue;
    }
    violations.push(
      ...overrideViolations(job, owner.runId, taskView(task.overrides as Overrides | undefined)),
    );
  }
  return { runTasks, tasks: tasks.length, overridden, violations };
}
