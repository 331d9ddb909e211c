/**
 * How far the jobs' IAM grants scale with the default quotas (deploy/iam.ts): characters each task definition
 * family costs, and the most distinct families that still fit every role's 10 managed policies. Pure: builds
 * the grants in memory from generated specs, no package, no AWS. `node bench/iam-margins.ts` prints the table.
 */
import { parseDeployConfig } from "../deploy/config.ts";
import { buildIam, type IamNames } from "../deploy/iam.ts";
import {
  MANAGED_POLICY_MAX_CHARS,
  PolicyTooLargeError,
  policySize,
  ROLE_INLINE_POLICIES_MAX_CHARS,
} from "../deploy/policy.ts";
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
  managedPolicies: number;
  maxManagedPolicyChars: number;
  maxInlineChars: number;
  launchers: number;
}

export function margins(jobs: readonly Job[]): IamMargins | undefined {
  try {
    const iam = buildIam(jobs, NAMES, parseDeployConfig({}));
    const docs = Object.values(iam.managedPolicies);
    return {
      managedPolicies: Math.max(...docs.map((d) => d.length)),
      maxManagedPolicyChars: Math.max(...docs.flat().map((d) => policySize(d))),
      maxInlineChars: Math.max(...Object.values(iam.inlinePolicies).map((d) => policySize(d))),
      launchers: iam.launchers.length,
    };
  } catch (error) {
    if (error instanceof PolicyTooLargeError) return undefined;
    throw error;
  }
}

/** The most jobs (one family each) whose grants fit the default quotas, by bisection. */
export function maxFamilies(shape: Omit<FleetShape, "jobs">, upTo = 4000): number {
  let lo = 1;
  let hi = upTo;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (margins(fleet({ ...shape, jobs: mid }))) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Rows of the BENCHMARKS.md section: most families per family-name length, and most distinct task roles. */
export function marginRows(): string[] {
  const rows = [
    "| fleet (default quotas: 10 managed policies, 10,240 inline chars per role) | most that fit |",
    "| --- | --- |",
  ];
  for (const familyChars of [8, 16, 24, 32]) {
    const n = maxFamilies({ familyChars, clusters: 6, roles: 40 });
    rows.push(`| distinct families, ${familyChars}-char names, 6 clusters, 40 task roles | ${n} |`);
  }
  // Every job its own task role as well: PassRole entries (~50 chars each) share the same documents.
  const ownRoles = maxFamilies({ familyChars: 16, clusters: 6, roles: Number.MAX_SAFE_INTEGER });
  rows.push(`| distinct families and as many task roles, 16-char names | ${ownRoles} |`);
  return rows;
}

if (import.meta.main) {
  const at1000 = margins(fleet({ jobs: 1000, familyChars: 16, clusters: 6, roles: 40 }));
  console.log(`1,000 families (16-char names): ${JSON.stringify(at1000)}`);
  console.log(
    `limits: managed ${MANAGED_POLICY_MAX_CHARS}, inline ${ROLE_INLINE_POLICIES_MAX_CHARS} characters`,
  );
  console.log(marginRows().join("\n"));
}
