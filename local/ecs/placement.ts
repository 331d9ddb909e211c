/**
 * Where tasks go: capacity provider strategies (base, then weight) and placement on container instances
 * with ECS's strategies and constraints
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement.html).
 */
import type {
  CapacityProviderStrategyItem,
  Failure,
  PlacementConstraint,
  PlacementStrategy,
} from "@aws-sdk/client-ecs";
import { invalidParameter } from "./api-error.ts";
import type { ContainerInstanceRecord } from "./records.ts";

/** The capacity provider of each of `count` tasks: bases are filled first, the rest shared by weight. */
export function allocateProviders(
  strategy: readonly CapacityProviderStrategyItem[],
  count: number,
): string[] {
  if (strategy.filter((s) => (s.base ?? 0) > 0).length > 1)
    throw invalidParameter(
      "Only one capacity provider in a capacity provider strategy can have a base defined.",
      "capacityProviderStrategy",
    );
  if (!strategy.some((s) => (s.weight ?? 0) > 0) && !strategy.some((s) => (s.base ?? 0) > 0))
    throw invalidParameter(
      "The capacity provider strategy must have at least one capacity provider with a weight greater than zero.",
      "capacityProviderStrategy",
    );
  const assigned = new Map<string, number>();
  const out: string[] = [];
  const give = (name: string) => {
    out.push(name);
    assigned.set(name, (assigned.get(name) ?? 0) + 1);
  };
  for (const s of strategy) {
    for (let i = 0; i < (s.base ?? 0) && out.length < count; i++) give(s.capacityProvider as string);
  }
  const weighted = strategy.filter((s) => (s.weight ?? 0) > 0);
  while (out.length < count && weighted.length > 0) {
    // The provider furthest below its share gets the next task.
    let best = weighted[0] as CapacityProviderStrategyItem;
    for (const s of weighted) {
      const ratio = (assigned.get(s.capacityProvider as string) ?? 0) / (s.weight as number);
      const bestRatio = (assigned.get(best.capacityProvider as string) ?? 0) / (best.weight as number);
      if (ratio < bestRatio) best = s;
    }
    give(best.capacityProvider as string);
  }
  while (out.length < count) give(strategy[0]?.capacityProvider as string);
  return out;
}

function attributeOf(rec: ContainerInstanceRecord, name: string): string | undefined {
  if (name === "ecs.availability-zone") return rec.availabilityZone;
  return rec.instance.attributes?.find((a) => a.name === name)?.value;
}

const wildcard = (pattern: string) =>
  new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`);

/**
 * The cluster query language's common forms: `attribute:NAME == v`, `!=`, `=~ glob*`, `in [a, b]`,
 * `not in [...]`, `exists`, joined by `and` / `or`. An expression outside this subset matches every
 * instance rather than rejecting a query ECS would accept.
 */
export function matchesExpression(rec: ContainerInstanceRecord, expression: string): boolean {
  const ors = expression.split(/\s+or\s+/i);
  return ors.some((or) => or.split(/\s+and\s+/i).every((term) => matchesTerm(rec, term.trim())));
}

function matchesTerm(rec: ContainerInstanceRecord, term: string): boolean {
  const m = /^(?:attribute:)?([\w.-]+)\s*(==|!=|=~|!~|not in|in|exists|!exists)\s*(.*)$/i.exec(term);
  if (!m) return true;
  const [, name = "", op = "", raw = ""] = m;
  const value = attributeOf(rec, name === "instanceType" ? "ecs.instance-type" : name);
  const arg = raw.trim().replace(/^["']|["']$/g, "");
  const list = () =>
    arg
      .replace(/^\(|\)$|^\[|\]$/g, "")
      .split(",")
      .map((s) => s.trim().replace(/^["']|["']$/g, ""));
  switch (op.toLowerCase()) {
    case "==":
      return value === arg;
    case "!=":
      return value !== arg;
    case "=~":
      return value !== undefined && wildcard(arg).test(value);
    case "!~":
      return value === undefined || !wildcard(arg).test(value);
    case "in":
      return value !== undefined && list().includes(value);
    case "not in":
      return value === undefined || !list().includes(value);
    case "exists":
      return value !== undefined;
    default:
      return value === undefined;
  }
}

export interface PlacementInput {
  instances: readonly ContainerInstanceRecord[];
  count: number;
  need: { cpu: number; memory: number };
  /** What each instance can still give, tasks already placed included. */
  free(rec: ContainerInstanceRecord): { cpu: number; memory: number };
  /** Unstopped tasks per instance ARN, for spread. */
  load(rec: ContainerInstanceRecord): number;
  strategy: readonly PlacementStrategy[];
  constraints: readonly PlacementConstraint[];
  random: () => number;
}

/** One instance per task placed; the reasons the others could not be placed, as ECS reports them. */
export function placeTasks(p: PlacementInput): { placed: ContainerInstanceRecord[]; failures: Failure[] } {
  const eligible = p.instances.filter((i) => i.instance.status === "ACTIVE" && i.instance.agentConnected);
  if (eligible.length === 0)
    throw invalidParameter("No Container Instances were found in your cluster.", "launchType");
  const memberOf = p.constraints.filter((c) => c.type === "memberOf" && c.expression);
  const distinct = p.constraints.some((c) => c.type === "distinctInstance");
  const candidates = eligible.filter((i) =>
    memberOf.every((c) => matchesExpression(i, c.expression as string)),
  );
  const extra = new Map<string, { cpu: number; memory: number; count: number }>();
  const used = (i: ContainerInstanceRecord) =>
    extra.get(i.instance.containerInstanceArn) ?? { cpu: 0, memory: 0, count: 0 };
  const left = (i: ContainerInstanceRecord) => {
    const f = p.free(i);
    const u = used(i);
    return { cpu: f.cpu - u.cpu, memory: f.memory - u.memory };
  };
  const placed: ContainerInstanceRecord[] = [];
  const failures: Failure[] = [];
  for (let n = 0; n < p.count; n++) {
    const fits = candidates.filter((i) => {
      const l = left(i);
      return l.cpu >= p.need.cpu && l.memory >= p.need.memory && (!distinct || used(i).count === 0);
    });
    if (fits.length === 0) {
      for (const f of unplaceable(p, candidates, left, used, distinct, memberOf.length > 0)) {
        if (!failures.some((x) => x.arn === f.arn && x.reason === f.reason)) failures.push(f);
      }
      continue;
    }
    const chosen = rank(fits, p, left, used)[0] as ContainerInstanceRecord;
    const u = used(chosen);
    extra.set(chosen.instance.containerInstanceArn, {
      cpu: u.cpu + p.need.cpu,
      memory: u.memory + p.need.memory,
      count: u.count + 1,
    });
    placed.push(chosen);
  }
  return { placed, failures };
}

function unplaceable(
  p: PlacementInput,
  candidates: readonly ContainerInstanceRecord[],
  left: (i: ContainerInstanceRecord) => { cpu: number; memory: number },
  used: (i: ContainerInstanceRecord) => { count: number },
  distinct: boolean,
  constrained: boolean,
): Failure[] {
  if (candidates.length === 0 && constrained)
    return [{ reason: "MemberOf placement constraint unsatisfied." }];
  return candidates.map((i) => {
    const l = left(i);
    const arn = i.instance.containerInstanceArn;
    if (l.cpu < p.need.cpu) return { arn, reason: "RESOURCE:CPU" };
    if (l.memory < p.need.memory) return { arn, reason: "RESOURCE:MEMORY" };
    return distinct && used(i).count > 0
      ? { arn, reason: "DistinctInstance placement constraint unsatisfied." }
      : { arn, reason: "RESOURCE:MEMORY" };
  });
}

/** Orders instances by the placement strategies, in order; ECS's default is spread over instances. */
function rank(
  fits: ContainerInstanceRecord[],
  p: PlacementInput,
  left: (i: ContainerInstanceRecord) => { cpu: number; memory: number },
  used: (i: ContainerInstanceRecord) => { count: number },
): ContainerInstanceRecord[] {
  const strategies = p.strategy.length > 0 ? p.strategy : [{ type: "spread", field: "instanceId" } as const];
  const keyed = fits.map((i) => ({ i, tie: p.random() }));
  const load = (i: ContainerInstanceRecord) => p.load(i) + used(i).count;
  const azLoad = (az: string) =>
    fits.filter((x) => x.availabilityZone === az).reduce((sum, x) => sum + load(x), 0);
  keyed.sort((a, b) => {
    for (const s of strategies) {
      let d = 0;
      if (s.type === "binpack") {
        d = s.field === "cpu" ? left(a.i).cpu - left(b.i).cpu : left(a.i).memory - left(b.i).memory;
      } else if (s.type === "spread") {
        d =
          s.field === "attribute:ecs.availability-zone"
            ? azLoad(a.i.availabilityZone) - azLoad(b.i.availabilityZone)
            : load(a.i) - load(b.i);
      }
      if (d !== 0) return d;
    }
    return a.tie - b.tie;
  });
  return keyed.map((k) => k.i);
}
