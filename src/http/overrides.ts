/**
 * From a run request to the RunOverrides the launcher merges into the job's own overrides, checking each
 * override against the job's `http.allowOverrides` (grammar: OVERRIDE_PATH in src/jobspec/schema.ts).
 * An unprefixed `command` / `environment.X` means the job's default container: the first one its spec
 * overrides, else the first one of its task definition.
 */
import { ValidationError } from "../errors.ts";
import { OVERRIDE_PATH } from "../jobspec/patterns.ts";
import { type RunOverrides, taskOverrides } from "../jobspec/requests.ts";
import { MAX_OVERRIDES_JSON } from "../jobspec/rules.ts";
import type { Job } from "../jobspec/schema.ts";
import type { EcsPort } from "../launch/ecs-port.ts";
import { containerDefinitions } from "../launch/task-state.ts";
import type { RunRequest } from "./run-request.ts";

/** One thing a request overrides, named as the allowlist names it. */
export interface OverrideAsk {
  /** Where it is in the request body, for errors: `overrides.environment.SECRET`. */
  field: string;
  /** undefined for count/cpu/memory; DEFAULT for unprefixed command/environment. */
  container?: string | typeof DEFAULT;
  /** `count`, `cpu`, `memory`, `command` or `environment.NAME`. */
  item: string;
}

export const DEFAULT: unique symbol = Symbol("default container");

export function asksOf(req: RunRequest): OverrideAsk[] {
  const asks: OverrideAsk[] = [];
  if (req.count !== undefined) asks.push({ field: "count", item: "count" });
  const o = req.overrides;
  if (!o) return asks;
  if (o.cpu !== undefined) asks.push({ field: "overrides.cpu", item: "cpu" });
  if (o.memory !== undefined) asks.push({ field: "overrides.memory", item: "memory" });
  const containerAsks = (prefix: string, container: string | typeof DEFAULT, c: NonNullable<typeof o>) => {
    if (c.command !== undefined) asks.push({ field: `${prefix}command`, container, item: "command" });
    for (const name of Object.keys(c.environment ?? {}))
      asks.push({ field: `${prefix}environment.${name}`, container, item: `environment.${name}` });
  };
  containerAsks("overrides.", DEFAULT, o);
  for (const [name, c] of Object.entries(o.containers ?? {}))
    containerAsks(`overrides.containers.${name}.`, name, c);
  return asks;
}

interface AllowEntry {
  container?: string | typeof DEFAULT;
  item: string;
}

function parseAllowlist(entries: readonly string[]): AllowEntry[] {
  return entries.flatMap((entry) => {
    const m = OVERRIDE_PATH.exec(entry);
    if (!m) return [];
    if (!m[3]) return [{ item: entry }];
    return [{ container: m[2] ? m[2].slice(0, -1) : DEFAULT, item: m[3] }];
  });
}

export const allowlistOf = (job: Job): string[] => {
  const http = job.spec.http;
  return typeof http === "object" ? http.allowOverrides : [];
};

/** The job's default container, looked up only when some unprefixed entry needs it. */
function defaultContainer(deps: EcsPort, job: Job): () => Promise<string | undefined> {
  let found: Promise<string | undefined> | undefined;
  return () => {
    found ??= (async () =>
      job.spec.task.overrides?.containers[0]?.name ??
      (await containerDefinitions(deps, job.spec.task.taskDefinition))?.[0]?.name)();
    return found;
  };
}

export interface OverrideOptions {
  /** "any" for an operator (CLI); the job's allowlist for HTTP callers. */
  allow: readonly string[] | "any";
}

export async function runOverridesFor(
  deps: EcsPort,
  job: Job,
  req: RunRequest,
  options: OverrideOptions,
): Promise<RunOverrides> {
  const asks = asksOf(req);
  const lookup = defaultContainer(deps, job);
  const resolve = async (c: string | typeof DEFAULT | undefined, field: string) => {
    if (c !== DEFAULT) return c;
    const name = await lookup();
    if (name === undefined)
      throw new ValidationError(
        `${field}: the job names no container in task.overrides.containers and its task definition could not be read; name the container (overrides.containers.NAME)`,
        { field },
      );
    return name;
  };

  if (options.allow !== "any") {
    const allow = parseAllowlist(options.allow);
    for (const ask of asks) {
      const container = await resolve(ask.container, ask.field);
      let allowed = false;
      for (const e of allow) {
        const itemMatches =
          e.item === ask.item || (e.item === "environment.*" && ask.item.startsWith("environment."));
        if (!itemMatches) continue;
        if (e.container === undefined || (await resolveAllow(e.container, lookup)) === container)
          allowed = true;
        if (allowed) break;
      }
      if (!allowed)
        throw new ValidationError(
          `${ask.field} may not be overridden: http.allowOverrides of job ${job.name} does not list it`,
          { field: ask.field },
        );
    }
  }

  const merged = await merge(req, (c, field) => resolve(c, field));
  const json = JSON.stringify(taskOverrides(job.spec.task, merged) ?? {});
  if (json.length > MAX_OVERRIDES_JSON)
    throw new ValidationError(
      `overrides: the task overrides would be ${json.length} characters of JSON; ECS allows ${MAX_OVERRIDES_JSON}`,
      { field: "overrides" },
    );
  return merged;
}

const resolveAllow = async (c: string | typeof DEFAULT, lookup: () => Promise<string | undefined>) =>
  c === DEFAULT ? lookup() : c;

type Resolve = (c: string | typeof DEFAULT, field: string) => Promise<string | undefined>;

/** The request as RunOverrides; `containers.NAME` entries win over the unprefixed ones for the same container. */
async function merge(req: RunRequest, resolve: Resolve): Promise<RunOverrides> {
  const o = req.overrides ?? {};
  const containers = new Map<string, { command?: string[]; environment?: Record<string, string> }>();
  const add = (
    name: string,
    c: { command?: string[] | undefined; environment?: Record<string, string> | undefined },
  ) => {
    const prev = containers.get(name) ?? {};
    const environment = { ...prev.environment, ...c.environment };
    const command = c.command ?? prev.command;
    containers.set(name, {
      ...(command && { command }),
      ...(Object.keys(environment).length > 0 && { environment }),
    });
  };
  if (o.command !== undefined || o.environment !== undefined) {
    const name = await resolve(
      DEFAULT,
      o.command !== undefined ? "overrides.command" : "overrides.environment",
    );
    if (name !== undefined) add(name, o);
  }
  for (const [name, c] of Object.entries(o.containers ?? {})) add(name, c);
  return {
    ...(req.count !== undefined && { count: req.count }),
    ...(o.cpu !== undefined && { cpu: o.cpu }),
    ...(o.memory !== undefined && { memory: o.memory }),
    ...(containers.size > 0 && { containers: Object.fromEntries(containers) }),
  };
}
