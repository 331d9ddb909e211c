/**
 * The jobs' IAM grants at 1,000 distinct task definition families over several clusters, in memory (the real
 * package of the same jobs is in package.test.ts): they fit the default quotas, and they name exactly what the
 * jobs name — checked by deriving the allowed (family, cluster) pairs from the policies (grant-scope.ts) and by
 * probing IAM's wildcard matching (template-iam.ts) with near-miss names, other clusters and another region.
 */
import { describe, expect, it } from "vitest";
import { parseDeployConfig } from "../../deploy/config.ts";
import { buildIam } from "../../deploy/iam.ts";
import { placeGrants } from "../../deploy/placement.ts";
import {
  MANAGED_POLICY_MAX_CHARS,
  policySize,
  ROLE_INLINE_POLICIES_MAX_CHARS,
  type Statement,
} from "../../deploy/policy.ts";
import { generateJobFiles } from "../../gen/job-files.ts";
import { parseJobs } from "../../src/jobspec/parse.ts";
import type { Job } from "../../src/jobspec/schema.ts";
import { distinctFamilies } from "./distinct-families.ts";
import { launchScope } from "./grant-scope.ts";
import { NAMES } from "./iam-names.ts";
import {
  allows,
  clusterArnOf,
  familyOf,
  REGION,
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
    const context = (cluster: string, region = REGION) => ({
      "ecs:cluster": cluster,
      "aws:RequestedRegion": region,
    });
    const clusters = [...new Set(jobs.map((j) => clusterArnOf(j.spec.task.cluster)))];
    const launched = jobs.filter((j) => j.spec.schedule || j.spec.http).slice(0, 30);
    expect(launched.length).toBe(30);
    for (const job of launched) {
      const td = taskDefinitionArnOf(job);
      const cluster = clusterArnOf(job.spec.task.cluster);
      expect(allows(status, "ecs:RunTask", td, context(cluster)), td).toBe(true);
      const family = familyOf(td);
      const revision = td.slice(family.length);
      for (const near of [`${family}x`, `${family}-2`, family.slice(0, -1), `${family.slice(0, -1)}?`]) {
        expect(allows(status, "ecs:RunTask", `${near}${revision}`, context(cluster)), near).toBe(false);
      }
      const other = clusters.find((c) => c !== cluster) as string;
      expect(allows(status, "ecs:RunTask", td, context(other)), `${td} on ${other}`).toBe(false);
      const elsewhere = td.replace(`:${REGION}:`, ":us-east-1:");
      expect(allows(status, "ecs:RunTask", elsewhere, context(cluster, "us-east-1"))).toBe(false);
    }
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
