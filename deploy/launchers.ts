/**
 * Launcher roles: where the launch grants go when they outgrow the function roles. RunTask/StartTask and
 * iam:PassRole are the only grants that grow with every task definition family (StopTask grows with clusters,
 * the reads are on `*`), and one role holds ~1,000 families at most (10 managed policies of 6,144 characters
 * and the inline room). Past that, each job's launch is placed in a launcher role that holds exactly its
 * (family, cluster) pairs and the roles it passes; the functions assume it through STS at run time
 * (src/launch/launcher-credentials.ts). Small deployments get none: their template is unchanged.
 *
 * Why not ABAC (one statement allowing RunTask where the task definition carries a tag of ours)? ECS does
 * evaluate `aws:ResourceTag` on the task-definition resource of RunTask, but the task definitions are the
 * users', registered by their own pipelines: each revision would have to carry our tag, and anyone allowed
 * to tag a task definition in the account could then make it launchable by us — a grant on what carries a
 * tag, not on what the jobs name. iam:PassRole still needs the role ARNs either way.
 *
 * Jobs are grouped by launch action and by the functions that launch them that way (a scheduled-only job is
 * launched by schedule, status and sweeper, never by http), so a function can assume only launchers whose
 * every grant it could use itself: nothing is widened beyond what each function's own role would hold.
 */
import type { LaunchAction, LauncherRoles } from "../src/jobspec/launcher-roles.ts";
import type { Job } from "../src/jobspec/schema.ts";
import { arnIn, clusterArn, taskDefinitionRef } from "./arns.ts";
import { FUNCTION_GRANTS, FUNCTION_KEYS, type FunctionKey, roleLogicalId } from "./functions.ts";
import { placeGrants } from "./placement.ts";
import { type PolicyDocument, PolicyTooLargeError, type Statement, toCfn } from "./policy.ts";

export interface LauncherGroup {
  action: LaunchAction;
  /** The functions that launch every job of the group with this action (and may assume its launchers). */
  functions: FunctionKey[];
  jobs: Job[];
}

export interface Launcher extends LauncherGroup {
  /** 1-based, in placement order: `EcsJobsLauncher{n}Role`. */
  index: number;
  roleName: string;
  managed: PolicyDocument[];
  inline?: PolicyDocument;
}

const ACTIONS: readonly LaunchAction[] = ["RunTask", "StartTask"];

function launchingFunctions(job: Job, action: LaunchAction): FunctionKey[] {
  return FUNCTION_KEYS.filter((k) => {
    const grants = FUNCTION_GRANTS[k];
    return (action === "RunTask" ? grants.runTask([job]) : grants.startTask([job])).length > 0;
  });
}

/** Cluster first, then family: a launcher then holds few clusters, so few statements and tag resources. */
const placementKey = (job: Job) =>
  `${clusterArn(job.spec.task.cluster)}\u0000${taskDefinitionRef(job.spec.task.taskDefinition).family}\u0000${job.name}`;

export function launcherGroups(jobs: readonly Job[]): LauncherGroup[] {
  const groups = new Map<string, LauncherGroup>();
  for (const action of ACTIONS) {
    for (const job of jobs) {
      const functions = launchingFunctions(job, action);
      if (functions.length === 0) continue;
      const key = `${action} ${functions.join(",")}`;
      const group = groups.get(key) ?? { action, functions, jobs: [] };
      group.jobs.push(job);
      groups.set(key, group);
    }
  }
  for (const group of groups.values()) {
    group.jobs.sort((a, b) =>
      placementKey(a) < placementKey(b) ? -1 : placementKey(a) > placementKey(b) ? 1 : 0,
    );
  }
  return [...groups.values()].sort((a, b) =>
    `${a.action} ${a.functions.join(",")}`.localeCompare(`${b.action} ${b.functions.join(",")}`),
  );
}

export interface LauncherOptions {
  maxManaged: number;
  roleName: (index: number) => string;
  /** The launch statements of some jobs of a group (deploy/iam.ts launchStatements). */
  statementsOf: (action: LaunchAction, jobs: readonly Job[]) => Statement[];
}

/**
 * Fills launcher roles one after the other, each with the longest run of its group's jobs whose grants fit
 * its 10 managed policies and inline room, found by bisection (more jobs never need less room).
 */
export function placeLaunchers(groups: readonly LauncherGroup[], options: LauncherOptions): Launcher[] {
  const launchers: Launcher[] = [];
  const place = (group: LauncherGroup, jobs: readonly Job[]) =>
    placeGrants(options.statementsOf(group.action, jobs), {
      maxManaged: options.maxManaged,
      inlineBaseChars: 0,
    });
  for (const group of groups) {
    let from = 0;
    while (from < group.jobs.length) {
      let lo = 0;
      let hi = group.jobs.length - from;
      while (lo < hi) {
        const mid = Math.ceil((lo + hi) / 2);
        if (place(group, group.jobs.slice(from, from + mid)).fits) lo = mid;
        else hi = mid - 1;
      }
      if (lo === 0) {
        const job = group.jobs[from] as Job;
        throw new PolicyTooLargeError(
          `the ${group.action} grants of job ${job.name} alone do not fit a launcher role's policies`,
        );
      }
      const jobs = group.jobs.slice(from, from + lo);
      const placed = place(group, jobs);
      if (!placed.fits) throw new Error("launcher placement: a fitting slice no longer fits");
      const index = launchers.length + 1;
      launchers.push({
        ...group,
        jobs,
        index,
        roleName: options.roleName(index),
        managed: placed.managed,
        ...(placed.inline && { inline: placed.inline }),
      });
      from += lo;
    }
  }
  return launchers;
}

export const launcherLogicalId = (index: number): string => `EcsJobsLauncher${index}Role`;

export const launcherRoleArn = (launcher: Pick<Launcher, "roleName">) =>
  arnIn("iam", `role/${launcher.roleName}`, { region: false });

/** A function's right to assume exactly the launchers of the jobs it launches. */
export function assumeLaunchers(key: FunctionKey, launchers: readonly Launcher[]): Statement[] {
  const mine = launchers.filter((l) => l.functions.includes(key));
  if (mine.length === 0) return [];
  return [
    {
      Sid: "AssumeLaunchers",
      Effect: "Allow",
      Action: ["sts:AssumeRole"],
      Resource: mine.map(launcherRoleArn),
    },
  ];
}

/** Which launcher role each job's RunTask / StartTask goes through: the catalogue carries it to the functions. */
export function launcherRolesOf(launchers: readonly Launcher[]): LauncherRoles {
  const out: LauncherRoles = {};
  for (const l of launchers) {
    for (const job of l.jobs) out[job.name] = { ...out[job.name], [l.action]: l.roleName };
  }
  return out;
}

type Resource = { Type: string; Properties: Record<string, unknown> };

export function launcherResources(launchers: readonly Launcher[]): Record<string, Resource> {
  const out: Record<string, Resource> = {};
  for (const l of launchers) {
    const id = launcherLogicalId(l.index);
    out[id] = {
      Type: "AWS::IAM::Role",
      Properties: {
        // Named, so the functions' grants and the catalogue name it without a reference (CAPABILITY_NAMED_IAM,
        // which the scheduler role already needs).
        RoleName: l.roleName,
        Description: `ecs-jobs: ${l.action} of ${l.jobs.length} jobs, for ${l.functions.join(", ")}`,
        AssumeRolePolicyDocument: {
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "LaunchingFunctions",
              Effect: "Allow",
              Principal: { AWS: l.functions.map((k) => ({ "Fn::GetAtt": [roleLogicalId(k), "Arn"] })) },
              Action: "sts:AssumeRole",
            },
          ],
        },
        ...(l.inline && { Policies: [{ PolicyName: "ecs-jobs-grants", PolicyDocument: toCfn(l.inline) }] }),
      },
    };
    l.managed.forEach((doc, i) => {
      out[`EcsJobsLauncher${l.index}Grants${i + 1}`] = {
        Type: "AWS::IAM::ManagedPolicy",
        Properties: {
          Description: `ecs-jobs: launch grants of launcher ${l.index} (${i + 1}/${l.managed.length})`,
          PolicyDocument: toCfn(doc),
          Roles: [{ Ref: id }],
        },
      };
    });
  }
  return out;
}
