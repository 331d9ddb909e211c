/**
 * One role per function, least privilege: ECS launches only on the task definitions the jobs name and only
 * in their clusters, PassRole only on the roles they name (plus `custom.ecsJobs.passRoles`), SNS only on their
 * topics. The job-derived grants grow with the jobs, so they go to managed policies (6,144 characters each,
 * shared by roles with the same grants); the fixed ones stay inline.
 */
import type { LaunchAction, LauncherRoles } from "../src/jobspec/launcher-roles.ts";
import type { Job } from "../src/jobspec/schema.ts";
import {
  type ArnTemplate,
  anyRevision,
  arnIn,
  clusterArn,
  clusterInstancesArn,
  clusterTasksArn,
  IN_STACK_REGION,
  isArn,
  roleArn,
  shortTaskDefinitionGrant,
  type TaskDefinitionRef,
  taskDefinitionRef,
} from "./arns.ts";
import type { DeployConfig } from "./config.ts";
import { FUNCTION_GRANTS, FUNCTION_KEYS, type FunctionKey, roleLogicalId } from "./functions.ts";
import {
  assumeLaunchers,
  type Launcher,
  launcherGroups,
  launcherResources,
  launcherRolesOf,
  placeLaunchers,
} from "./launchers.ts";
import { type Placement, placeGrants } from "./placement.ts";
import {
  MANAGED_POLICY_MAX_CHARS,
  type PolicyDocument,
  PolicyTooLargeError,
  policy,
  policySize,
  ROLE_INLINE_POLICIES_MAX_CHARS,
  type Statement,
  toCfn,
} from "./policy.ts";

export interface IamNames {
  /** Deployed function names by key (e.g. ecs-jobs-dev-schedule), for their log groups. */
  functionNames: Record<FunctionKey, string>;
  tableName: string;
  eventBus: string;
  scheduleGroup: string;
  schedulerRoleName: string;
  /** The SQS queue the task state change rules feed and the status function reads. */
  taskEventsQueueName: string;
  /** Launcher roles (launchers.ts), when there are any, are named this followed by 1, 2, … */
  launcherRolePrefix: string;
}

/** What an SQS event source mapping needs of the function's role (Lambda docs, "with-sqs"). */
export const EVENT_SOURCE_MAPPING_SQS_ACTIONS = [
  "sqs:ReceiveMessage",
  "sqs:DeleteMessage",
  "sqs:GetQueueAttributes",
  "sqs:ChangeMessageVisibility",
] as const;

export type CfnResource = {
  Type: string;
  Properties: Record<string, unknown>;
  DependsOn?: string[];
  DeletionPolicy?: "Delete" | "Retain" | "Snapshot" | "RetainExceptOnCreate";
  UpdateReplacePolicy?: "Delete" | "Retain" | "Snapshot";
};

const distinct = <T>(values: Iterable<T>): T[] => [...new Set(values)];
const alnum = (s: string) => s.replace(/[^A-Za-z0-9]/g, "");

/** Task definitions per cluster, so a grant never spans a task definition and a cluster no job pairs. */
function taskDefinitionsByCluster(jobs: readonly Job[]): Map<string, TaskDefinitionRef[]> {
  const out = new Map<string, TaskDefinitionRef[]>();
  for (const job of jobs) {
    // By ARN, so a cluster named once by name and once by ARN is one cluster.
    const cluster = clusterArn(job.spec.task.cluster);
    out.set(cluster, [...(out.get(cluster) ?? []), taskDefinitionRef(job.spec.task.taskDefinition)]);
  }
  return out;
}

export interface Compaction {
  /** Grant every revision of each family. buildIam never does: past the function roles it uses launchers. */
  anyRevision: boolean;
  familyPrefixes: readonly string[];
}

/** Deduplicated resources for RunTask/StartTask: `family:*` covers its revisions, a prefix covers its families. */
export function taskDefinitionResources(
  refs: readonly TaskDefinitionRef[],
  compaction: Compaction,
): ArnTemplate[] {
  const out = new Set<ArnTemplate>();
  const wholeFamilies = new Set(refs.filter((r) => !r.revision).map((r) => r.arn));
  for (const ref of refs) {
    const prefix = compaction.familyPrefixes.find((p) => ref.family.startsWith(p));
    if (prefix) {
      out.add(shortTaskDefinitionGrant(`${ref.arn.slice(0, ref.arn.lastIndexOf("/") + 1)}${prefix}*`));
      continue;
    }
    const family = anyRevision(ref);
    out.add(shortTaskDefinitionGrant(compaction.anyRevision || wholeFamilies.has(family) ? family : ref.arn));
  }
  return [...out].sort();
}

const ECS_TASKS = "ecs-tasks.amazonaws.com";

/** Roles RunTask/StartTask pass: the overrides' roles and the configured ones. */
export function passedRoles(jobs: readonly Job[], extra: readonly string[]): ArnTemplate[] {
  const named = jobs.flatMap((j) => {
    const o = j.spec.task.overrides;
    return [o?.taskRoleArn, o?.executionRoleArn].filter((r): r is string => Boolean(r));
  });
  return distinct([...named, ...extra].map(roleArn)).sort();
}

/** RunTask or StartTask on the jobs' task definitions, one statement per cluster. */
function launchGrants(action: LaunchAction, subset: readonly Job[], compaction: Compaction): Statement[] {
  const byCluster = [...taskDefinitionsByCluster(subset)].sort(([a], [b]) => a.localeCompare(b));
  return byCluster.map(([cluster, refs], i) => ({
    Sid: `${action}${i + 1}`,
    Effect: "Allow",
    Action: [`ecs:${action}`],
    Resource: taskDefinitionResources(refs, compaction),
    // The region pins the `*` of shortTaskDefinitionGrant(); the cluster ARN pins region and account.
    Condition: {
      ArnEquals: { "ecs:cluster": clusterArn(cluster) },
      StringEquals: { ...IN_STACK_REGION },
    },
  }));
}

/** Tagging the tasks a launch creates, in the launched jobs' clusters. */
function tagAtLaunch(runJobs: readonly Job[], startJobs: readonly Job[]): Statement[] {
  const clusters = distinct([...runJobs, ...startJobs].map((j) => clusterArn(j.spec.task.cluster))).sort();
  if (clusters.length === 0) return [];
  return [
    {
      Sid: "TagTasksAtLaunch",
      Effect: "Allow",
      Action: ["ecs:TagResource"],
      Resource: clusters.map(clusterTasksArn),
      Condition: {
        StringEquals: {
          "ecs:CreateAction": [
            ...(runJobs.length ? ["RunTask"] : []),
            ...(startJobs.length ? ["StartTask"] : []),
          ],
        },
      },
    },
  ];
}

/** The roles a launch of these jobs passes to ECS. */
function passTaskRoles(launchJobs: readonly Job[], config: DeployConfig): Statement[] {
  const roles = launchJobs.length > 0 ? passedRoles(launchJobs, config.passRoles) : [];
  if (roles.length === 0) return [];
  return [
    {
      Sid: "PassTaskRoles",
      Effect: "Allow",
      Action: ["iam:PassRole"],
      Resource: roles,
      Condition: { StringEquals: { "iam:PassedToService": ECS_TASKS } },
    },
  ];
}

/**
 * What a launcher role (deploy/launchers.ts) holds for its jobs: the one launch action on their (task
 * definition, cluster) pairs, tagging at launch, and passing their roles. Nothing else of a function's grants.
 */
export function launchStatements(
  action: LaunchAction,
  jobs: readonly Job[],
  config: DeployConfig,
  compaction: Compaction,
): Statement[] {
  const run = action === "RunTask" ? jobs : [];
  const start = action === "StartTask" ? jobs : [];
  return [
    ...launchGrants(action, jobs, compaction),
    ...tagAtLaunch(run, start),
    ...passTaskRoles(jobs, config),
  ];
}

/**
 * The job-derived statements of one function. With `launch: false` the launch grants (RunTask, StartTask,
 * tagging at launch, PassRole) are left out: launcher roles hold them (deploy/launchers.ts).
 */
export function jobStatements(
  key: FunctionKey,
  jobs: readonly Job[],
  config: DeployConfig,
  compaction: Compaction,
  options: { launch?: boolean } = {},
): Statement[] {
  const launch = options.launch ?? true;
  const grants = FUNCTION_GRANTS[key];
  const runJobs = grants.runTask(jobs);
  const startJobs = grants.startTask(jobs);
  const statements: Statement[] = [];
  if (launch) {
    statements.push(...launchGrants("RunTask", runJobs, compaction));
    statements.push(...launchGrants("StartTask", startJobs, compaction));
    statements.push(...tagAtLaunch(runJobs, startJobs));
  }
  const startClusters = distinct(startJobs.map((j) => clusterArn(j.spec.task.cluster))).sort();
  if (grants.describeInstances && startClusters.length > 0) {
    statements.push({
      // Read-only: when an instance registered, for an event that does not say (src/app/start-on-instance.ts).
      Sid: "DescribeContainerInstances",
      Effect: "Allow",
      Action: ["ecs:DescribeContainerInstances"],
      Resource: startClusters.map(clusterInstancesArn),
      Condition: { ArnEquals: { "ecs:cluster": startClusters } },
    });
  }
  // Stopping covers every task the function could have started or must time out, StartTask ones included,
  // and for the HTTP API any job's run (stop route). It grows with clusters, not families: no launcher needed.
  const stopClusters = distinct(grants.stopTask(jobs).map((j) => clusterArn(j.spec.task.cluster))).sort();
  if (stopClusters.length > 0) {
    statements.push({
      Sid: "StopTasks",
      Effect: "Allow",
      Action: ["ecs:StopTask"],
      Resource: stopClusters.map(clusterTasksArn),
      Condition: { ArnEquals: { "ecs:cluster": stopClusters.map(clusterArn) } },
    });
  }
  if (launch) statements.push(...passTaskRoles([...runJobs, ...startJobs], config));
  const topics = distinct(
    jobs.map((j) => j.spec.alerts.snsTopicArn).filter((t): t is string => Boolean(t)),
  ).sort();
  if (topics.length > 0) {
    statements.push({ Sid: "PublishAlerts", Effect: "Allow", Action: ["sns:Publish"], Resource: topics });
  }
  statements.push(...webhookSecretStatements(jobs));
  return statements;
}

/** A Secrets Manager ARN as IAM matches it: a name without its random 6-character suffix gets `-??????`. */
const secretArn = (arn: string): ArnTemplate => (/-[A-Za-z0-9]{6}$/.test(arn) ? arn : `${arn}-??????`);

/**
 * Reading the alert webhooks' signing secrets (src/alerts/webhook-secret.ts): exactly the parameters and
 * secrets the jobs name. A SecureString under the AWS managed key (aws/ssm) needs no kms:Decrypt grant;
 * a customer managed key does, and is granted in its key policy, not here.
 */
export function webhookSecretStatements(jobs: readonly Job[]): Statement[] {
  const named = distinct(
    jobs.map((j) => j.spec.alerts.webhook?.secretParameter).filter((p): p is string => Boolean(p)),
  );
  const secrets = named
    .filter((p) => p.includes(":secretsmanager:"))
    .map(secretArn)
    .sort();
  const parameters = named
    .filter((p) => !p.includes(":secretsmanager:"))
    .map((p) => (isArn(p) ? p : arnIn("ssm", `parameter${p.startsWith("/") ? "" : "/"}${p}`)))
    .sort();
  const out: Statement[] = [];
  if (parameters.length > 0)
    out.push({
      Sid: "WebhookSecretParameters",
      Effect: "Allow",
      Action: ["ssm:GetParameter"],
      Resource: parameters,
    });
  if (secrets.length > 0)
    out.push({
      Sid: "WebhookSecrets",
      Effect: "Allow",
      Action: ["secretsmanager:GetSecretValue"],
      Resource: secrets,
    });
  return out;
}

/** The fixed statements of one function: its logs, the run table, alerts, reads, schedule control. */
export function baseStatements(
  key: FunctionKey,
  names: IamNames,
  config: DeployConfig,
  options: { delayedRetries?: boolean } = {},
): Statement[] {
  const grants = FUNCTION_GRANTS[key];
  const table = arnIn("dynamodb", `table/${names.tableName}`);
  const statements: Statement[] = [
    ...(key === "status"
      ? [
          {
            // Not SDK calls of ours: Lambda's event source mapping reads the queue with the function's role.
            Sid: "TaskEventsQueue",
            Effect: "Allow" as const,
            Action: [...EVENT_SOURCE_MAPPING_SQS_ACTIONS],
            Resource: [arnIn("sqs", names.taskEventsQueueName)],
          },
        ]
      : []),
    ...(options.delayedRetries
      ? [
          {
            // policy.retries.delaySeconds: any function that sees a run end may delay its retry as a message
            // on the task events queue (src/aws/retry-queue.ts).
            Sid: "DelayedRetries",
            Effect: "Allow" as const,
            Action: ["sqs:SendMessage"],
            Resource: [arnIn("sqs", names.taskEventsQueueName)],
          },
        ]
      : []),
    {
      Sid: "OwnLogs",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: [arnIn("logs", `log-group:/aws/lambda/${names.functionNames[key]}:*`)],
    },
    {
      Sid: "RunLedger",
      Effect: "Allow",
      Action: [
        // Exactly the calls of src/ledger/dynamo-storage.ts.
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:Query",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
      ],
      Resource: [table, `${table}/index/*`],
    },
    {
      Sid: "AlertEvents",
      Effect: "Allow",
      Action: ["events:PutEvents"],
      Resource: [isArn(names.eventBus) ? names.eventBus : arnIn("events", `event-bus/${names.eventBus}`)],
    },
    {
      // ListTasks (concurrency policy, sweeper) and DescribeTasks are read-only; DescribeTaskDefinition (where
      // a failed container logs, for its alert) has no resource-level permissions at all.
      Sid: "ReadTasks",
      Effect: "Allow",
      Action: ["ecs:ListTasks", "ecs:DescribeTasks", "ecs:DescribeTaskDefinition"],
      Resource: ["*"],
    },
    // Every function can see a run end (see FUNCTION_GRANTS), so each may read the failed container's last
    // lines for its alert and pause the job's schedule after N failures.
    {
      Sid: "ReadTaskLogs",
      Effect: "Allow",
      Action: ["logs:GetLogEvents"],
      Resource:
        config.logGroups.length > 0
          ? config.logGroups.map((g) => arnIn("logs", `log-group:${g}:log-stream:*`))
          : [arnIn("logs", "log-group:*:log-stream:*")],
    },
    {
      Sid: "PauseResumeSchedules",
      Effect: "Allow",
      Action: ["scheduler:GetSchedule", "scheduler:UpdateSchedule"],
      Resource: [arnIn("scheduler", `schedule/${names.scheduleGroup}/*`)],
    },
    {
      // UpdateSchedule sends the whole schedule again, its execution role included.
      Sid: "PassSchedulerRole",
      Effect: "Allow",
      Action: ["iam:PassRole"],
      Resource: [arnIn("iam", `role/${names.schedulerRoleName}`, { region: false })],
      Condition: { StringEquals: { "iam:PassedToService": "scheduler.amazonaws.com" } },
    },
  ];
  if (grants.listSchedules) {
    // ListSchedules has no resource-level permissions (Service Authorization Reference, EventBridge
    // Scheduler): "*" is the only resource it takes. It reads names and states only.
    statements.push({
      Sid: "ListSchedules",
      Effect: "Allow",
      Action: ["scheduler:ListSchedules"],
      Resource: ["*"],
    });
  }
  return statements;
}

const LAMBDA_TRUST = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
};

export interface IamResult {
  resources: Record<string, CfnResource>;
  /** Managed policy documents attached to each role (for the limit checks). */
  managedPolicies: Record<FunctionKey, PolicyDocument[]>;
  inlinePolicies: Record<FunctionKey, PolicyDocument>;
  /** Job-derived grants that did not fit the managed policies, inline beside the base policy (placement.ts). */
  inlineGrants: Partial<Record<FunctionKey, PolicyDocument>>;
  /** The launcher roles that hold the launch grants (launchers.ts); empty when the function roles hold them. */
  launchers: Launcher[];
  /** For the catalogue: the launcher role of each job's launch; empty without launchers. */
  launcherRoles: LauncherRoles;
}

function placeAll(
  jobs: readonly Job[],
  config: DeployConfig,
  compaction: Compaction,
  inlineBaseChars: Record<FunctionKey, number>,
  launchers?: readonly Launcher[],
) {
  const placed = {} as Record<FunctionKey, Placement>;
  for (const key of FUNCTION_KEYS) {
    const statements = launchers
      ? [
          ...jobStatements(key, jobs, config, compaction, { launch: false }),
          ...assumeLaunchers(key, launchers),
        ]
      : jobStatements(key, jobs, config, compaction);
    placed[key] = placeGrants(statements, {
      maxManaged: config.maxManagedPoliciesPerRole,
      inlineBaseChars: inlineBaseChars[key],
    });
  }
  const tooMany = FUNCTION_KEYS.filter((k) => !placed[k].fits);
  return { placed, tooMany };
}

export function buildIam(jobs: readonly Job[], names: IamNames, config: DeployConfig): IamResult {
  const inlinePolicies = {} as Record<FunctionKey, PolicyDocument>;
  const delayedRetries = jobs.some((j) => (j.spec.policy.retries?.delaySeconds ?? 0) > 0);
  for (const key of FUNCTION_KEYS) {
    const inline = policy(baseStatements(key, names, config, { delayedRetries }));
    const size = policySize(inline);
    if (size > ROLE_INLINE_POLICIES_MAX_CHARS) {
      throw new PolicyTooLargeError(
        `the inline policy of the ${key} role is ${size} characters (max ${ROLE_INLINE_POLICIES_MAX_CHARS})`,
      );
    }
    inlinePolicies[key] = inline;
  }
  const baseChars = Object.fromEntries(
    FUNCTION_KEYS.map((k) => [k, policySize(inlinePolicies[k])]),
  ) as Record<FunctionKey, number>;

  // Exact revisions always: past what the function roles hold, the launch grants move to launcher roles
  // rather than widen to family:* (what a job names is what is granted, at any number of families).
  const compaction: Compaction = { anyRevision: false, familyPrefixes: config.taskDefinitionFamilyPrefixes };
  let launchers: Launcher[] = [];
  let packed = placeAll(jobs, config, compaction, baseChars);
  if (packed.tooMany.length > 0) {
    launchers = placeLaunchers(launcherGroups(jobs), {
      maxManaged: config.maxManagedPoliciesPerRole,
      roleName: (n) => `${names.launcherRolePrefix}${n}`,
      statementsOf: (action, subset) => launchStatements(action, subset, config, compaction),
    });
    packed = placeAll(jobs, config, compaction, baseChars, launchers);
  }
  const managedPolicies = {} as Record<FunctionKey, PolicyDocument[]>;
  const inlineGrants: Partial<Record<FunctionKey, PolicyDocument>> = {};
  const tooMany: string[] = [];
  for (const key of FUNCTION_KEYS) {
    const p = packed.placed[key];
    if (!p.fits) {
      tooMany.push(`${key}: ${p.managedNeeded}`);
      continue;
    }
    managedPolicies[key] = p.managed;
    if (p.inline) inlineGrants[key] = p.inline;
  }
  if (tooMany.length > 0) {
    // Only the grants that are not launches are left here (SNS topics, webhook secrets, clusters to stop in).
    throw new PolicyTooLargeError(
      `the jobs' grants other than launches (SNS topics, webhook secrets, clusters) need more managed ` +
        `policies than a role may have (${tooMany.join(", ")}; max ${config.maxManagedPoliciesPerRole} of ` +
        `${MANAGED_POLICY_MAX_CHARS} characters each, plus what the role's inline policy leaves). Raise the IAM ` +
        "quota 'managed policies per role' and set custom.ecsJobs.maxManagedPoliciesPerRole (up to 20)",
    );
  }

  const resources: Record<string, CfnResource> = {};
  for (const key of FUNCTION_KEYS) {
    const spilled = inlineGrants[key];
    resources[roleLogicalId(key)] = {
      Type: "AWS::IAM::Role",
      Properties: {
        AssumeRolePolicyDocument: LAMBDA_TRUST,
        Policies: [
          { PolicyName: "ecs-jobs-base", PolicyDocument: toCfn(inlinePolicies[key]) },
          ...(spilled ? [{ PolicyName: "ecs-jobs-grants", PolicyDocument: toCfn(spilled) }] : []),
        ],
      },
    };
  }

  // Roles with the same job-derived grants (status and sweeper) share their managed policies.
  const sets = new Map<string, FunctionKey[]>();
  for (const key of FUNCTION_KEYS) {
    const signature = JSON.stringify(managedPolicies[key]);
    if (managedPolicies[key].length === 0) continue;
    sets.set(signature, [...(sets.get(signature) ?? []), key]);
  }
  for (const keys of sets.values()) {
    const owner = keys.join("-");
    const docs = managedPolicies[keys[0] as FunctionKey];
    docs.forEach((doc, i) => {
      const id = `EcsJobs${alnum(keys.map((k) => k[0]?.toUpperCase() + k.slice(1)).join(""))}Grants${i + 1}`;
      resources[id] = {
        Type: "AWS::IAM::ManagedPolicy",
        Properties: {
          Description: `ecs-jobs: job grants of ${owner} (${i + 1}/${docs.length})`,
          PolicyDocument: toCfn(doc),
          Roles: keys.map((k) => ({ Ref: roleLogicalId(k) })),
        },
      };
    });
  }
  Object.assign(resources, launcherResources(launchers));
  return {
    resources,
    managedPolicies,
    inlinePolicies,
    inlineGrants,
    launchers,
    launcherRoles: launcherRolesOf(launchers),
  };
}
