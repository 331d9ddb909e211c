/**
 * How the jobs' IAM grants scale with the default quotas (deploy/iam.ts, deploy/launchers.ts): how many
 * families the function roles hold before launcher roles take the launch grants, and past that how many
 * launcher roles, how full each is, and what the IAM resources weigh in the template. Pure: builds the grants
 * in memory from generated specs, no package, no AWS. `node bench/iam-margins.ts` prints the tables.
 */
import { parseDeployConfig } from "../deploy/config.ts";
import { buildIam, type IamNames } from "../deploy/iam.ts";
import { checkTemplate } from "../deploy/limits.ts";
import { MANAGED_POLICY_MAX_CHARS, ROLE_INLINE_POLICIES_MAX_CHARS } from "../deploy/policy.ts";
import { realisticFamily } from "../gen/family-names.ts";
import { generateJobFiles } from "../gen/job-files.ts";
import { parseJobs } from "../src/jobspec/parse.ts";
import type { Job } from "../src/jobspec/schema.ts";

const NAMES: IamNames = {
  functionNames: {
    schedule: "ecs-jobs-prod-schedule",
    http: "ecs-jobs-prod-http",
    instanceLaunch: "ecs-jobs-prod-instanceLaunch",
    status: "ecs-jobs-prod-status",
    sweeper: "ecs-jobs-prod-sweeper",
  },
  tableName: "ecs-jobs-prod-runs",
  taskEventsQueueName: "ecs-jobs-prod-task-events",
  eventBus: "default",
  scheduleGroup: "ecs-jobs-prod",
  schedulerRoleName: "ecs-jobs-prod-eu-west-1-scheduler",
  launcherRolePrefix: "ecs-jobs-prod-eu-west-1-launcher-",
};

export interface FleetShape {
  jobs: number;
  /** Characters of each family name (padded), e.g. 16 for `family-000000042`. */
  familyChars: number;
  clusters: number;
  /** Distinct task/execution roles the jobs override. */
  roles: number;
}

/** n jobs, each its own family at an exact revision, scheduled and HTTP-callable, over `clusters` clusters. */
export function fleet(shape: FleetShape): Job[] {
  const files = Array.from({ length: shape.jobs }, (_, i) => {
    const family = `f-${String(i).padStart(Math.max(1, shape.familyChars - 2), "0")}`;
    return {
      file: `jobs/job-${i}.yml`,
      text: [
        'schedule:\n  expression: "@daily"',
        "http: true",
        "task:",
        "  launchType: EC2",
        `  cluster: cluster-${i % shape.clusters}`,
        `  taskDefinition: ${family}:${(i % 7) + 1}`,
        "  overrides:",
        `    taskRoleArn: arn:aws:iam::111122223333:role/task-role-${i % shape.roles}`,
      ].join("\n"),
    };
  });
  const { jobs, issues } = parseJobs(files);
  if (issues.length > 0) throw new Error(`generated specs invalid: ${JSON.stringify(issues[0])}`);
  return jobs;
}

export interface IamMargins {
  /** Launcher roles (deploy/launchers.ts); 0 = the function roles hold every launch grant. */
  launchers: number;
  /** Fewest and most jobs (one family each here) a launcher role holds. */
  familiesPerLauncher: [number, number];
  /** Most managed policies on one role, function or launcher. */
  managedPolicies: number;
  maxManagedPolicyChars: number;
  /** Largest inline policies of one role (base + overflow grants, or a launcher's overflow). */
  maxInlineChars: number;
  /** IAM resources (roles and managed policies) and their share of the uploaded template (compact JSON). */
  iamResources: number;
  iamBytes: number;
}

/** Sizes as deploy/limits.ts measures them, over every role of the result (functions and launchers). */
export function margins(jobs: readonly Job[]): IamMargins {
  const iam = buildIam(jobs, NAMES, parseDeployConfig({}));
  const template = { Resources: iam.resources };
  const report = checkTemplate(template);
  if (report.problems.length > 0) throw new Error(`over a quota: ${report.problems.join("; ")}`);
  const perLauncher = iam.launchers.map((l) => l.jobs.length);
  return {
    launchers: iam.launchers.length,
    familiesPerLauncher:
      perLauncher.length > 0 ? [Math.min(...perLauncher), Math.max(...perLauncher)] : [0, 0],
    managedPolicies: report.maxManagedPoliciesPerRole,
    maxManagedPolicyChars: report.maxManagedPolicyChars,
    maxInlineChars: report.maxRoleInlineChars,
    iamResources: Object.keys(iam.resources).length,
    iamBytes: Buffer.byteLength(JSON.stringify(iam.resources)),
  };
}

/** The most jobs (one family each) the function roles hold before launcher roles are needed, by bisection. */
export function maxFamiliesWithoutLaunchers(shape: Omit<FleetShape, "jobs">, upTo = 2000): number {
  let lo = 1;
  let hi = upTo;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (margins(fleet({ ...shape, jobs: mid })).launchers === 0) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The generator's varied fleet (gen/job-files.ts: 12 clusters, every trigger) with realistic family names. */
export function realisticFleet(count: number): Job[] {
  let n = 0;
  const files = Object.entries(generateJobFiles(count)).map(([name, text]) => ({
    file: `jobs/${name}`,
    text: text.replace(
      /^(\s*taskDefinition: (?:arn:[^\s]*:task-definition\/)?)[A-Za-z0-9_-]+/m,
      (_m, head: string) => `${head}${realisticFamily(n++)}`,
    ),
  }));
  const defaults = files.find((f) => f.file === "jobs/defaults.yml");
  const { jobs, issues } = parseJobs(
    files.filter((f) => f !== defaults),
    defaults,
  );
  if (issues.length > 0) throw new Error(`generated specs invalid: ${JSON.stringify(issues[0])}`);
  return jobs;
}

const fmt = (n: number) => n.toLocaleString("en-US");

/** Rows of the BENCHMARKS.md section. */
export function marginRows(): string[] {
  const rows = [
    "| fleet (default quotas) | launcher roles | jobs per launcher | managed policies, busiest role | largest managed policy | largest inline | IAM resources | IAM bytes in template |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  const row = (label: string, m: IamMargins) =>
    rows.push(
      `| ${label} | ${m.launchers} | ${m.launchers ? `${m.familiesPerLauncher[0]}-${m.familiesPerLauncher[1]}` : "—"} | ${m.managedPolicies} / 10 | ${fmt(m.maxManagedPolicyChars)} / 6,144 | ${fmt(m.maxInlineChars)} / 10,240 | ${m.iamResources} | ${fmt(m.iamBytes)} |`,
    );
  for (const count of [1000, 3000, 10000])
    row(
      `${fmt(count)} generated jobs, realistic 24-40 char families, 12 clusters`,
      margins(realisticFleet(count)),
    );
  for (const familyChars of [24, 40]) {
    row(
      `3,000 jobs, ${familyChars}-char families, 6 clusters, scheduled + HTTP`,
      margins(fleet({ jobs: 3000, familyChars, clusters: 6, roles: 40 })),
    );
  }
  row(
    "3,000 jobs, 40-char families, each its own task role",
    margins(fleet({ jobs: 3000, familyChars: 40, clusters: 6, roles: Number.MAX_SAFE_INTEGER })),
  );
  rows.push("");
  rows.push("| family name length (6 clusters, 40 task roles) | most families before launcher roles |");
  rows.push("| --- | --- |");
  for (const familyChars of [8, 16, 24, 32, 40]) {
    rows.push(
      `| ${familyChars} | ${fmt(maxFamiliesWithoutLaunchers({ familyChars, clusters: 6, roles: 40 }))} |`,
    );
  }
  return rows;
}

if (import.meta.main) {
  console.log(
    `limits: managed ${MANAGED_POLICY_MAX_CHARS}, inline ${ROLE_INLINE_POLICIES_MAX_CHARS} characters`,
  );
  console.log(marginRows().join("\n"));
}
