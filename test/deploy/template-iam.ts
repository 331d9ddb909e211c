/**
 * What each role of a packaged template may do, read generically from the template (inline role policies,
 * managed policies and AWS::IAM::Policy attached by Ref), with intrinsics resolved for one account and region,
 * and IAM's wildcard matching. Independent of how deploy/ builds the policies.
 */
import type { Job } from "../../src/jobspec/schema.ts";

export const ACCOUNT = "111122223333";
export const REGION = "eu-west-1";

type Cfn = Record<string, unknown>;
export interface TemplateLike {
  Resources: Record<string, { Type: string; Properties?: Cfn }>;
}

export interface FlatStatement {
  /** Where the statement comes from (resource logical id). */
  source: string;
  Effect: string;
  Action: string[];
  Resource: string[];
  Condition: Record<string, Record<string, string[]>>;
}

/** A CloudFormation value with Fn::Sub and pseudo parameters resolved; other references become `{Ref:X}`. */
export function resolveCfn(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolveCfn);
  if (value && typeof value === "object") {
    const v = value as Cfn;
    if (typeof v["Fn::Sub"] === "string") {
      return (v["Fn::Sub"] as string).replace(/\$\{([^}]+)\}/g, (_m, name: string) => {
        if (name === "AWS::Partition") return "aws";
        if (name === "AWS::Region") return REGION;
        if (name === "AWS::AccountId") return ACCOUNT;
        return `{Ref:${name}}`;
      });
    }
    if (typeof v.Ref === "string") {
      if (v.Ref === "AWS::AccountId") return ACCOUNT;
      if (v.Ref === "AWS::Region") return REGION;
      if (v.Ref === "AWS::Partition") return "aws";
      return `{Ref:${v.Ref}}`;
    }
    if (Array.isArray(v["Fn::GetAtt"])) return `{GetAtt:${(v["Fn::GetAtt"] as string[]).join(".")}}`;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolveCfn(x)]));
  }
  return value;
}

const list = (v: unknown): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)];

function flatten(source: string, document: unknown): FlatStatement[] {
  const doc = resolveCfn(document) as { Statement?: unknown };
  const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  return statements.map((s) => {
    const st = s as Cfn;
    const condition: FlatStatement["Condition"] = {};
    for (const [op, keys] of Object.entries((st.Condition as Cfn | undefined) ?? {})) {
      condition[op] = Object.fromEntries(Object.entries(keys as Cfn).map(([k, v]) => [k, list(v)]));
    }
    return {
      source,
      Effect: String(st.Effect),
      Action: list(st.Action),
      Resource: list(st.Resource),
      Condition: condition,
    };
  });
}

const refName = (v: unknown): string | undefined => (v as { Ref?: string } | undefined)?.Ref;

/** Every statement of every role, by role logical id. */
export function roleStatements(template: TemplateLike): Map<string, FlatStatement[]> {
  const out = new Map<string, FlatStatement[]>();
  const add = (role: string, statements: FlatStatement[]) =>
    out.set(role, [...(out.get(role) ?? []), ...statements]);
  for (const [id, r] of Object.entries(template.Resources)) {
    const p = r.Properties ?? {};
    if (r.Type === "AWS::IAM::Role") {
      add(id, []);
      for (const pol of (p.Policies as { PolicyDocument: unknown }[] | undefined) ?? [])
        add(id, flatten(id, pol.PolicyDocument));
    }
    if (r.Type === "AWS::IAM::ManagedPolicy" || r.Type === "AWS::IAM::Policy") {
      for (const role of (p.Roles as unknown[] | undefined) ?? []) {
        const name = refName(role);
        if (name) add(name, flatten(id, p.PolicyDocument));
      }
    }
  }
  return out;
}

const compiled = new Map<string, (value: string) => boolean>();

/** IAM wildcard match: `*` any characters, `?` one. */
export function iamMatch(pattern: string, value: string): boolean {
  let test = compiled.get(pattern);
  if (!test) {
    const wild = pattern.indexOf("*");
    if (!pattern.includes("?") && (wild === -1 || wild === pattern.length - 1)) {
      const prefix = pattern.slice(0, wild === -1 ? undefined : -1);
      test = wild === -1 ? (v) => v === pattern : (v) => v.startsWith(prefix);
    } else {
      const body = pattern
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, ".*")
        .replace(/\?/g, ".");
      const re = new RegExp(`^${body}$`);
      test = (v) => re.test(v);
    }
    compiled.set(pattern, test);
  }
  return test(value);
}

interface Index {
  actions: string[];
  exact: Set<string>;
  /** Patterns `PREFIX*`, by prefix length, so a lookup is one Set probe per distinct length. */
  prefixes: Map<number, Set<string>>;
  /**
   * Other patterns with a literal tail after their last wildcard (`arn:*:ecs:*:*:task-definition/F:3`), by
   * that tail's length then the tail: a lookup matches only the patterns whose tail the resource ends with.
   */
  suffixes: Map<number, Map<string, string[]>>;
  other: string[];
}
const indexes = new WeakMap<FlatStatement, Index>();

function indexOf(s: FlatStatement): Index {
  let index = indexes.get(s);
  if (!index) {
    index = { actions: s.Action, exact: new Set(), prefixes: new Map(), suffixes: new Map(), other: [] };
    for (const r of s.Resource) {
      const star = r.indexOf("*");
      const lastWild = Math.max(r.lastIndexOf("*"), r.lastIndexOf("?"));
      if (!r.includes("?") && star === -1) index.exact.add(r);
      else if (!r.includes("?") && star === r.length - 1) {
        const set = index.prefixes.get(star) ?? new Set<string>();
        set.add(r.slice(0, star));
        index.prefixes.set(star, set);
      } else if (lastWild < r.length - 1) {
        const tail = r.slice(lastWild + 1);
        const byTail = index.suffixes.get(tail.length) ?? new Map<string, string[]>();
        byTail.set(tail, [...(byTail.get(tail) ?? []), r]);
        index.suffixes.set(tail.length, byTail);
      } else index.other.push(r);
    }
    indexes.set(s, index);
  }
  return index;
}

function resourceMatches(index: Index, resource: string): boolean {
  if (index.exact.has(resource)) return true;
  for (const [length, set] of index.prefixes) if (set.has(resource.slice(0, length))) return true;
  for (const [length, byTail] of index.suffixes) {
    const candidates =
      length <= resource.length ? byTail.get(resource.slice(resource.length - length)) : undefined;
    if (candidates?.some((r) => iamMatch(r, resource))) return true;
  }
  return index.other.some((r) => iamMatch(r, resource));
}

export function allows(
  statements: readonly FlatStatement[],
  action: string,
  resource: string,
  context: Record<string, string> = {},
): boolean {
  return statements.some((s) => {
    const index = indexOf(s);
    return (
      s.Effect === "Allow" &&
      index.actions.some((a) => iamMatch(a, action)) &&
      resourceMatches(index, resource) &&
      Object.entries(s.Condition).every(([op, keys]) =>
        Object.entries(keys).every(([key, values]) => {
          const actual = context[key];
          if (actual === undefined) return false;
          if (op === "ArnEquals" || op === "StringEquals") return values.includes(actual);
          if (op === "ArnLike" || op === "StringLike") return values.some((v) => iamMatch(v, actual));
          throw new Error(`condition operator ${op} not understood by this test`);
        }),
      )
    );
  });
}

export const clusterArnOf = (cluster: string): string =>
  cluster.startsWith("arn:") ? cluster : `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${cluster}`;

/** The task definition a launch of the job is authorized against; a bare family runs some later revision. */
export function taskDefinitionArnOf(job: Job): string {
  const td = job.spec.task.taskDefinition;
  if (td.startsWith("arn:")) return td;
  return `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${td.includes(":") ? td : `${td}:9999`}`;
}

/** `…:task-definition/family:rev` → `…:task-definition/family`. */
export const familyOf = (taskDefinitionArn: string): string => taskDefinitionArn.replace(/:[^:/]+$/, "");

export const roleArnOf = (role: string): string =>
  role.startsWith("arn:") ? role : `arn:aws:iam::${ACCOUNT}:role/${role}`;

/** Actions that must never be granted on `*` (or any wildcard beyond a task definition's revision). */
export const GUARDED_ACTIONS = ["ecs:RunTask", "ecs:StartTask", "iam:PassRole"];

/**
 * A task definition grant that names one family: every revision (`family:*`) or one, with partition, region
 * and account given or `*` (a role acts in its own partition and account; test/deploy/grant-scope.ts checks
 * that an open region is pinned by aws:RequestedRegion).
 */
const ONE_FAMILY = /^arn:[^:]+:ecs:[^:]+:[^:]+:task-definition\/[A-Za-z0-9_-]+:(\d+|\*)$/;

/** Statements that grant a guarded action on a resource wider than one named thing. */
export function wildcardGrants(statements: readonly FlatStatement[]): FlatStatement[] {
  return statements.filter((s) => {
    const guarded = GUARDED_ACTIONS.some((g) => s.Action.some((a) => iamMatch(a, g)));
    if (!guarded) return false;
    return s.Resource.some((r) => {
      if (!r.includes("*") && !r.includes("?")) return false;
      // One named family is the only wildcard allowed, and only for ECS.
      return !ONE_FAMILY.test(r) || s.Action.some((a) => iamMatch(a, "iam:PassRole"));
    });
  });
}

/**
 * The roles `roleId` can become: named roles of the template whose ARN its statements allow sts:AssumeRole on
 * AND whose trust policy names it (`Fn::GetAtt: [roleId, Arn]`). Both sides must agree, as in IAM.
 */
export function assumableRoles(template: TemplateLike, roleId: string): string[] {
  const own = roleStatements(template).get(roleId) ?? [];
  const out: string[] = [];
  for (const [id, r] of Object.entries(template.Resources)) {
    const name = r.Properties?.RoleName;
    if (r.Type !== "AWS::IAM::Role" || id === roleId || typeof name !== "string") continue;
    if (!allows(own, "sts:AssumeRole", roleArnOf(name))) continue;
    const trust = resolveCfn(r.Properties?.AssumeRolePolicyDocument) as { Statement?: unknown[] } | undefined;
    const trusted = (trust?.Statement ?? []).some((s) => {
      const st = s as { Effect?: string; Action?: unknown; Principal?: { AWS?: unknown } };
      return (
        st.Effect === "Allow" &&
        list(st.Action).some((a) => iamMatch(a, "sts:AssumeRole")) &&
        list(st.Principal?.AWS).includes(`{GetAtt:${roleId}.Arn}`)
      );
    });
    if (trusted) out.push(id);
  }
  return out.sort();
}

/** What a role can do with its own credentials and with those of every role it can assume. */
export function effectiveStatements(template: TemplateLike, roleId: string): FlatStatement[] {
  const statements = roleStatements(template);
  return [
    ...(statements.get(roleId) ?? []),
    ...assumableRoles(template, roleId).flatMap((id) => statements.get(id) ?? []),
  ];
}
