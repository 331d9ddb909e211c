/**
 * The jobs' IAM grants at 1,000 distinct task definition families over several clusters, in memory (the real
 * package of the same jobs is in package.test.ts): they fit the default quotas, and they name exactly what the
 * jobs name — checked by deriving the allowed (family, cluster) pairs from the policies (grant-scope.ts) and by
 * probing IAM's wildcard matching (template-iam.ts) with near-miss names, other clusters and another region.
 */
import { describe, expect, it } from "vitest";
import { parseDeployConfig } from "../../deploy/config.ts";
import { buildIam } from "../../deploy/iam.ts";
import { checkTemplate } from "../../deploy/limits.ts";
import { placeGrants } from "../../deploy/placement.ts";
import {
  MANAGED_POLICY_MAX_CHARS,
  policySize,
  ROLE_INLINE_POLICIES_MAX_CHARS,
  type Statement,
} from "../../deploy/policy.ts";
import { realisticFamily } from "../../gen/family-names.ts";
import { generateJobFiles } from "../../gen/job-files.ts";
import { parseJobs } from "../../src/jobspec/parse.ts";
import type { Job } from "../../src/jobspec/schema.ts";
import { distinctFamilies } from "./distinct-families.ts";
import { launchScope } from "./grant-scope.ts";
import { NAMES } from "./iam-names.ts";
import { FUNCTION_ROLES, MUST_LAUNCH } from "./must-launch.ts";
import {
  allows,
  assumableRoles,
  clusterArnOf,
  effectiveStatements,
  type FlatStatement,
  familyOf,
  REGION,
  roleArnOf,
  roleStatements,
  type TemplateLike,
  taskDefinitionArnOf,
} from "./template-iam.ts";

function generated(count: number): Job[] {
  const files = distinctFamilies(generateJobFiles(count));
  const { jobs, issues } = parseJobs(
    Object.entries(files)
      .filter(([name]) => name !== "defaults.yml")
      .map(([name, text]) => ({ file: `jobs/${name}`, text })),
    { file: "jobs/defaults.yml", text: files["defaults.yml"] ?? "" },
  );
  expect(issues).toEqual([]);
  return jobs;
}

const launchContext = (cluster: string, region = REGION) => ({
  "ecs:cluster": cluster,
  "aws:RequestedRegion": region,
});

/**
 * Each job's own RunTask is allowed; near-miss family names (IAM wildcard matching), another cluster of the
 * fleet and another region are not.
 */
function expectNearMissesRefused(statements: FlatStatement[], launched: readonly Job[], all: readonly Job[]) {
  const clusters = [...new Set(all.map((j) => clusterArnOf(j.spec.task.cluster)))];
  for (const job of launched) {
    const td = taskDefinitionArnOf(job);
    const cluster = clusterArnOf(job.spec.task.cluster);
    expect(allows(statements, "ecs:RunTask", td, launchContext(cluster)), td).toBe(true);
    const family = familyOf(td);
    const revision = td.slice(family.length);
    for (const near of [`${family}x`, `${family}-2`, family.slice(0, -1), `${family.slice(0, -1)}?`]) {
      expect(allows(statements, "ecs:RunTask", `${near}${revision}`, launchContext(cluster)), near).toBe(
        false,
      );
    }
    const other = clusters.find((c) => c !== cluster) as string;
    expect(allows(statements, "ecs:RunTask", td, launchContext(other)), `${td} on ${other}`).toBe(false);
    const elsewhere = td.replace(`:${REGION}:`, ":us-east-1:");
    expect(allows(statements, "ecs:RunTask", elsewhere, launchContext(cluster, "us-east-1"))).toBe(false);
  }
}

describe("1,000 jobs, each its own task definition family, over several clusters", () => {
  const jobs = generated(1000);
  const iam = buildIam(jobs, NAMES, parseDeployConfig({}));
  // The status role launches (retries) every job: the largest grants of all.
  const status = roleStatements({ Resources: iam.resources } as TemplateLike).get("EcsJobsStatusRole") ?? [];
  const pair = (j: Job) => `${familyOf(taskDefinitionArnOf(j))} ${clusterArnOf(j.spec.task.cluster)}`;

  it("is the worst case asked for: 1,000 families, more than 5 clusters", () => {
    expect(new Set(jobs.map((j) => familyOf(taskDefinitionArnOf(j)))).size).toBe(1000);
    expect(new Set(jobs.map((j) => clusterArnOf(j.spec.task.cluster))).size).toBeGreaterThan(5);
  });

  it("fits the default quotas, keeping exact revisions", () => {
    expect(iam.launchers).toEqual([]);
    for (const [key, docs] of Object.entries(iam.managedPolicies)) {
      expect(docs.length, key).toBeLessThanOrEqual(10);
      for (const doc of docs) expect(policySize(doc)).toBeLessThanOrEqual(MANAGED_POLICY_MAX_CHARS);
    }
    for (const key of Object.keys(iam.inlinePolicies) as (keyof typeof iam.inlinePolicies)[]) {
      const spilled = iam.inlineGrants[key];
      const inline = policySize(iam.inlinePolicies[key]) + (spilled ? policySize(spilled) : 0);
      expect(inline, key).toBeLessThanOrEqual(ROLE_INLINE_POLICIES_MAX_CHARS);
    }
  });

  it("lets the status role launch exactly the (family, cluster) pairs the jobs name", () => {
    const named = new Set(jobs.map(pair));
    const run = launchScope(status, "ecs:RunTask");
    const start = launchScope(status, "ecs:StartTask");
    expect([...run.problems, ...start.problems]).toEqual([]);
    const relaunched = jobs.filter((j) => j.spec.schedule || j.spec.http);
    expect(run.pairs).toEqual(new Set(relaunched.map(pair)));
    expect(start.pairs).toEqual(new Set(jobs.filter((j) => j.spec.onInstanceLaunch).map(pair)));
    for (const p of [...run.pairs, ...start.pairs]) expect(named.has(p)).toBe(true);
  });

  it("refuses near-miss families, other clusters and another region under IAM's wildcard matching", () => {
    const launched = jobs.filter((j) => j.spec.schedule || j.spec.http).slice(0, 30);
    expect(launched.length).toBe(30);
    expectNearMissesRefused(status, launched, jobs);
  });
});

describe("placeGrants", () => {
  const statement = (sid: string, n: number): Statement => ({
    Sid: sid,
    Effect: "Allow",
    Action: ["ecs:RunTask"],
    Resource: Array.from({ length: n }, (_, i) => `arn:*:ecs:*:*:task-definition/${sid}-family-${i}:1`),
  });

  it("puts what the managed policies cannot hold into the inline room, losing and repeating nothing", () => {
    const statements = [statement("A", 330), statement("B", 60)];
    const placed = placeGrants(statements, { maxManaged: 3, inlineBaseChars: 2000 });
    if (!placed.fits) throw new Error("expected the grants to fit");
    expect(placed.managed).toHaveLength(3);
    expect(placed.inline).toBeDefined();
    expect(policySize(placed.inline!) + 2000).toBeLessThanOrEqual(ROLE_INLINE_POLICIES_MAX_CHARS);
    const all = [...placed.managed, placed.inline!].flatMap((d) => d.Statement.flatMap((s) => s.Resource));
    expect(all).toEqual([...statements[0]!.Resource, ...statements[1]!.Resource]);
  });

  it("needs no inline room while the managed policies suffice, and says how many it needed otherwise", () => {
    const few = placeGrants([statement("A", 10)], { maxManaged: 3, inlineBaseChars: 2000 });
    expect(few.fits && few.inline).toBeUndefined();
    const many = placeGrants([statement("A", 2000)], { maxManaged: 3, inlineBaseChars: 2000 });
    expect(many.fits).toBe(false);
    expect(!many.fits && many.managedNeeded).toBeGreaterThan(4);
  });
});

/**
 * Past what one role holds: 1,000 and 3,000 families with names as teams write them (24-40 characters), over
 * the generator's 12 clusters. The launch grants go to launcher roles; read back from the resources alone,
 * each launcher allows exactly its jobs' (family, cluster) pairs and roles, and each function, through the
 * launchers it may assume, exactly what it launches.
 */
describe.each([1000, 3000])("%i jobs with realistic family names: launcher roles", (count) => {
  const files = distinctFamilies(generateJobFiles(count), 0, realisticFamily);
  const { jobs, issues } = parseJobs(
    Object.entries(files)
      .filter(([name]) => name !== "defaults.yml")
      .map(([name, text]) => ({ file: `jobs/${name}`, text })),
    { file: "jobs/defaults.yml", text: files["defaults.yml"] ?? "" },
  );
  const config = parseDeployConfig({ passRoles: ["inside-task-definitions"] });
  const iam = buildIam(jobs, NAMES, config);
  const template = { Resources: iam.resources } as TemplateLike;
  const statements = roleStatements(template);
  const pair = (j: Job) => `${familyOf(taskDefinitionArnOf(j))} ${clusterArnOf(j.spec.task.cluster)}`;
  const launcherIds = Object.entries(iam.resources)
    .filter(([id, r]) => r.Type === "AWS::IAM::Role" && !Object.values(FUNCTION_ROLES).includes(id as never))
    .map(([id]) => id);

  it("is what it says: distinct 24-40 character families over several clusters", () => {
    expect(issues).toEqual([]);
    const families = jobs.map((j) => familyOf(taskDefinitionArnOf(j)).split("/").pop() ?? "");
    expect(new Set(families).size).toBe(count);
    for (const f of families) expect(f.length, f).toBeGreaterThanOrEqual(24);
    for (const f of families) expect(f.length, f).toBeLessThanOrEqual(40);
    expect(new Set(jobs.map((j) => clusterArnOf(j.spec.task.cluster))).size).toBeGreaterThan(5);
  });

  it("fits every IAM and CloudFormation quota with the defaults", () => {
    expect(launcherIds.length).toBeGreaterThan(1);
    const report = checkTemplate(template);
    expect(report.problems).toEqual([]);
    expect(report.maxManagedPoliciesPerRole).toBeLessThanOrEqual(10);
    expect(report.maxManagedPolicyChars).toBeLessThanOrEqual(MANAGED_POLICY_MAX_CHARS);
    expect(report.maxRoleInlineChars).toBeLessThanOrEqual(ROLE_INLINE_POLICIES_MAX_CHARS);
  });

  it("lets each launcher role launch exactly its jobs' (family, cluster) pairs and pass exactly their roles", () => {
    const byRoleName = new Map(
      launcherIds.map((id) => [iam.resources[id]?.Properties.RoleName as string, id] as const),
    );
    const covered = { RunTask: new Set<string>(), StartTask: new Set<string>() };
    for (const id of launcherIds) {
      const name = iam.resources[id]?.Properties.RoleName as string;
      const mine = jobs.filter((j) => Object.values(iam.launcherRoles[j.name] ?? {}).includes(name));
      expect(mine.length, id).toBeGreaterThan(0);
      const own = statements.get(id) ?? [];
      for (const action of ["RunTask", "StartTask"] as const) {
        const scope = launchScope(own, `ecs:${action}`);
        expect(scope.problems).toEqual([]);
        const expected = mine.filter((j) => iam.launcherRoles[j.name]?.[action] === name).map(pair);
        expect([...scope.pairs].sort(), `${id} ${action}`).toEqual([...new Set(expected)].sort());
        for (const p of expected) covered[action].add(p);
      }
      const passed = own.filter((s) => s.Action.includes("iam:PassRole")).flatMap((s) => s.Resource);
      const roles = mine.flatMap((j) => [
        j.spec.task.overrides?.taskRoleArn,
        j.spec.task.overrides?.executionRoleArn,
      ]);
      expect(new Set(passed)).toEqual(
        new Set([...roles.filter((r): r is string => Boolean(r)), "inside-task-definitions"].map(roleArnOf)),
      );
      // A launcher holds launch grants and nothing else.
      const actions = new Set(own.flatMap((s) => s.Action));
      for (const a of actions)
        expect(["ecs:RunTask", "ecs:StartTask", "ecs:TagResource", "iam:PassRole"]).toContain(a);
    }
    expect(byRoleName.size).toBe(launcherIds.length);
    expect(covered.RunTask).toEqual(new Set(jobs.filter((j) => j.spec.schedule || j.spec.http).map(pair)));
    expect(covered.StartTask).toEqual(new Set(jobs.filter((j) => j.spec.onInstanceLaunch).map(pair)));
  });

  it("lets each function assume only launcher roles that trust it, and so launch exactly its jobs", () => {
    for (const [key, roleId] of Object.entries(FUNCTION_ROLES) as [keyof typeof FUNCTION_ROLES, string][]) {
      const own = statements.get(roleId) ?? [];
      // Its own role launches nothing: every launch goes through a launcher.
      expect(launchScope(own, "ecs:RunTask").pairs.size + launchScope(own, "ecs:StartTask").pairs.size).toBe(
        0,
      );
      const assumeTargets = own.filter((s) => s.Action.includes("sts:AssumeRole")).flatMap((s) => s.Resource);
      for (const t of assumeTargets) expect(t, `${key} assumes ${t}`).not.toMatch(/[*?]/);
      const assumable = assumableRoles(template, roleId);
      // Every role it may assume is a launcher that trusts it: none it is granted but not trusted by.
      expect(assumable.length).toBe(assumeTargets.length);
      for (const id of assumable) expect(launcherIds).toContain(id);
      const effective = effectiveStatements(template, roleId);
      for (const [action, must] of [
        ["ecs:RunTask", MUST_LAUNCH[key].run],
        ["ecs:StartTask", MUST_LAUNCH[key].start],
      ] as const) {
        const scope = launchScope(effective, action);
        expect(scope.problems).toEqual([]);
        expect([...scope.pairs].sort(), `${key} ${action}`).toEqual(
          [...new Set(jobs.filter(must).map(pair))].sort(),
        );
      }
    }
  });

  it("refuses, through the launchers, near-miss families, other clusters and another region", () => {
    const effective = effectiveStatements(template, FUNCTION_ROLES.schedule);
    const scheduled = jobs.filter((j) => j.spec.schedule).filter((_, i) => i % Math.ceil(count / 40) === 0);
    expect(scheduled.length).toBeGreaterThan(30);
    expectNearMissesRefused(effective, scheduled, jobs);
    // An HTTP-only job is not launchable by the schedule function, launcher or not.
    const httpOnly = jobs.find((j) => j.spec.http && !j.spec.schedule) as Job;
    expect(
      allows(
        effective,
        "ecs:RunTask",
        taskDefinitionArnOf(httpOnly),
        launchContext(clusterArnOf(httpOnly.spec.task.cluster)),
      ),
    ).toBe(false);
  });
});
