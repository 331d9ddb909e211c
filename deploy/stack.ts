/**
 * Everything the jobs add to the CloudFormation stack, and the schedule manifest. Pure: the osls plugin
 * (plugin.ts) gathers the names and merges the result into the template osls compiled.
 */
import { createHash } from "node:crypto";
import { deploymentNames, STACK_OUTPUTS } from "../src/aws/deployment.ts";
import type { Job } from "../src/jobspec/schema.ts";
import { LAUNCHER_ROLE_ARN_PREFIX_ENV } from "../src/launch/launcher-credentials.ts";
import { alarmResources } from "./alarms.ts";
import { type ArnTemplate, arnIn } from "./arns.ts";
import type { DeployConfig } from "./config.ts";
import { ALARM_WIDGET_MAX, dashboardResource } from "./dashboard.ts";
import { type FunctionKey, roleLogicalId } from "./functions.ts";
import { buildIam, type CfnResource, type IamResult } from "./iam.ts";
import { toCfn } from "./policy.ts";
import { ecsRules } from "./rules.ts";
import { buildManifest, type ScheduleManifest } from "./schedules.ts";
import { type RunTableDefinition, tableResource } from "./table.ts";

export interface StackNames {
  /** SERVICE-STAGE: names of account-wide things (alarms, the dashboard) start with it. */
  prefix: string;
  /** Deployed Lambda function names by key. */
  functionNames: Record<FunctionKey, string>;
  /** CloudFormation logical ids of the functions. */
  functionLogicalIds: Record<FunctionKey, string>;
  tableName: string;
  scheduleGroup: string;
  eventBus: string;
  deadLetterQueueName: string;
  schedulerRoleName: string;
  /** Launcher roles (deploy/launchers.ts) are named this and 1, 2, …: global names, hence the region. */
  launcherRolePrefix: string;
  /** The queue of task state change events, and where its messages go after failing 5 times. */
  taskEventsQueueName: string;
  taskEventsDeadLetterQueueName: string;
}

/** IAM role names are global to the account and at most 64 characters: long ones end in a hash. */
export function boundedName(name: string, max = 64): string {
  if (name.length <= max) return name;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 8);
  return `${name.slice(0, max - 9)}-${hash}`;
}

export function stackNames(input: {
  service: string;
  stage: string;
  region: string;
  functionNames: Record<FunctionKey, string>;
  functionLogicalIds: Record<FunctionKey, string>;
  config: DeployConfig;
}): StackNames {
  const base = `${input.service}-${input.stage}`;
  const named = deploymentNames(input.stage, input.service);
  return {
    prefix: base,
    functionNames: input.functionNames,
    functionLogicalIds: input.functionLogicalIds,
    tableName: named.tableName,
    scheduleGroup: input.config.scheduleGroup ?? named.scheduleGroup,
    eventBus: input.config.eventBus,
    deadLetterQueueName: boundedName(`${base}-schedules-dlq`, 80),
    taskEventsQueueName: boundedName(`${base}-task-events`, 80),
    taskEventsDeadLetterQueueName: boundedName(`${base}-task-events-dlq`, 80),
    schedulerRoleName: boundedName(`${base}-${input.region}-scheduler`),
    // Room for a 3-digit index within IAM's 64 characters.
    launcherRolePrefix: `${boundedName(`${base}-${input.region}-launcher`, 60)}-`,
  };
}

export const LOGICAL_IDS = {
  table: "EcsJobsRunsTable",
  scheduleGroup: "EcsJobsScheduleGroup",
  deadLetterQueue: "EcsJobsSchedulesDeadLetterQueue",
  schedulerRole: "EcsJobsSchedulerRole",
  taskEventsQueue: "EcsJobsTaskEventsQueue",
  taskEventsDeadLetterQueue: "EcsJobsTaskEventsDeadLetterQueue",
  taskEventsMapping: "EcsJobsTaskEventsMapping",
  dashboard: "EcsJobsDashboard",
} as const;

/**
 * How the status function reads the task events queue. Batches of up to 100 gathered for at most a second
 * (a fan-out's events arrive in bursts: one write per run per batch); a few concurrent batches at most, so
 * that the writers of one run rarely race; a message that failed 5 times goes to the dead-letter queue
 * (the sweeper's DescribeTasks still ends its run). The queue hides a message for 6 function timeouts, as
 * Lambda advises.
 */
export const TASK_EVENTS = {
  batchSize: 100,
  batchingWindowSeconds: 1,
  maximumConcurrency: 5,
  maxReceiveCount: 5,
  statusTimeoutSeconds: 30,
} as const;

export interface StackAdditions {
  resources: Record<string, CfnResource>;
  outputs: Record<string, { Description: string; Value: unknown }>;
  manifest: ScheduleManifest;
  iam: IamResult;
  /** Environment variables the plugin adds to functions (launcher roles only; none otherwise). */
  functionEnvironment: Partial<Record<FunctionKey, Record<string, unknown>>>;
}

/** The alarms and the dashboard (SPEC section 6): alarms.ts, dashboard.ts. */
function monitoring(
  jobs: readonly Job[],
  names: StackNames,
  config: DeployConfig,
): Record<string, CfnResource> {
  const deadLetterQueues = [
    { logicalId: LOGICAL_IDS.deadLetterQueue, what: "schedules" },
    { logicalId: LOGICAL_IDS.taskEventsDeadLetterQueue, what: "task-events" },
  ];
  const alarms = alarmResources(jobs, {
    prefix: names.prefix,
    deadLetterQueues,
    topicArn: config.alarmTopicArn,
  });
  const alarmNames = Object.values(alarms).map((a) => String(a.Properties.AlarmName));
  const dashboard = dashboardResource({
    name: names.prefix,
    functionNames: Object.values(names.functionNames),
    alarmNames,
    deadLetterQueues,
  });
  // The alarms it shows exist before it does.
  dashboard.DependsOn = Object.keys(alarms).slice(0, ALARM_WIDGET_MAX);
  return { ...alarms, [LOGICAL_IDS.dashboard]: dashboard };
}

export function buildStack(input: {
  jobs: readonly Job[];
  config: DeployConfig;
  names: StackNames;
  table: RunTableDefinition;
}): StackAdditions {
  const { jobs, config, names } = input;
  const target: ScheduleManifest["target"] = {
    arn: arnIn("lambda", `function:${names.functionNames.schedule}`),
    roleArn: arnIn("iam", `role/${names.schedulerRoleName}`, { region: false }),
    deadLetterArn: arnIn("sqs", names.deadLetterQueueName),
  };
  const groupArn: ArnTemplate = arnIn("scheduler", `schedule-group/${names.scheduleGroup}`);

  const schedulerRole: CfnResource = {
    Type: "AWS::IAM::Role",
    Properties: {
      RoleName: names.schedulerRoleName,
      Description: "EventBridge Scheduler invokes the ecs-jobs schedule function with this role",
      AssumeRolePolicyDocument: {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Service: "scheduler.amazonaws.com" },
            Action: "sts:AssumeRole",
            // Only schedules of this account's group may use it (confused deputy).
            Condition: {
              StringEquals: { "aws:SourceAccount": { Ref: "AWS::AccountId" } },
              ArnLike: { "aws:SourceArn": { "Fn::Sub": groupArn } },
            },
          },
        ],
      },
      Policies: [
        {
          PolicyName: "invoke-schedule-function",
          PolicyDocument: toCfn({
            Version: "2012-10-17",
            Statement: [
              { Sid: "Invoke", Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: [target.arn] },
              {
                Sid: "DeadLetters",
                Effect: "Allow",
                Action: ["sqs:SendMessage"],
                Resource: [target.deadLetterArn],
              },
            ],
          }),
        },
      ],
    },
  };

  const iam = buildIam(
    jobs,
    {
      functionNames: names.functionNames,
      tableName: names.tableName,
      eventBus: names.eventBus,
      scheduleGroup: names.scheduleGroup,
      schedulerRoleName: names.schedulerRoleName,
      taskEventsQueueName: names.taskEventsQueueName,
      launcherRolePrefix: names.launcherRolePrefix,
    },
    config,
  );

  const resources: Record<string, CfnResource> = {
    [LOGICAL_IDS.table]: tableResource(input.table, names.tableName),
    [LOGICAL_IDS.scheduleGroup]: {
      Type: "AWS::Scheduler::ScheduleGroup",
      Properties: { Name: names.scheduleGroup },
    },
    [LOGICAL_IDS.deadLetterQueue]: {
      Type: "AWS::SQS::Queue",
      Properties: {
        QueueName: names.deadLetterQueueName,
        MessageRetentionPeriod: 1_209_600,
        SqsManagedSseEnabled: true,
      },
    },
    [LOGICAL_IDS.schedulerRole]: schedulerRole,
    [LOGICAL_IDS.taskEventsDeadLetterQueue]: {
      Type: "AWS::SQS::Queue",
      Properties: {
        QueueName: names.taskEventsDeadLetterQueueName,
        MessageRetentionPeriod: 1_209_600,
        SqsManagedSseEnabled: true,
      },
    },
    [LOGICAL_IDS.taskEventsQueue]: {
      Type: "AWS::SQS::Queue",
      Properties: {
        QueueName: names.taskEventsQueueName,
        VisibilityTimeout: 6 * TASK_EVENTS.statusTimeoutSeconds,
        // SQS's maximum, as its dead-letter queue: events wait out a long status-function outage (a bad
        // deploy over a holiday) instead of being dropped after the 4-day default.
        MessageRetentionPeriod: 1_209_600,
        SqsManagedSseEnabled: true,
        RedrivePolicy: {
          deadLetterTargetArn: { "Fn::GetAtt": [LOGICAL_IDS.taskEventsDeadLetterQueue, "Arn"] },
          maxReceiveCount: TASK_EVENTS.maxReceiveCount,
        },
      },
    },
    [LOGICAL_IDS.taskEventsMapping]: {
      Type: "AWS::Lambda::EventSourceMapping",
      // Lambda checks at creation that the role may read the queue.
      DependsOn: [roleLogicalId("status")],
      Properties: {
        FunctionName: { Ref: names.functionLogicalIds.status },
        EventSourceArn: { "Fn::GetAtt": [LOGICAL_IDS.taskEventsQueue, "Arn"] },
        BatchSize: TASK_EVENTS.batchSize,
        MaximumBatchingWindowInSeconds: TASK_EVENTS.batchingWindowSeconds,
        FunctionResponseTypes: ["ReportBatchItemFailures"],
        ScalingConfig: { MaximumConcurrency: TASK_EVENTS.maximumConcurrency },
      },
    },
    ...iam.resources,
    ...monitoring(jobs, names, config),
    ...ecsRules(jobs, {
      status: { queueLogicalId: LOGICAL_IDS.taskEventsQueue },
      instanceLaunch: { functionLogicalId: names.functionLogicalIds.instanceLaunch },
    }),
  };

  const outputs = {
    [STACK_OUTPUTS.tableName]: { Description: "Run ledger table", Value: { Ref: LOGICAL_IDS.table } },
    [STACK_OUTPUTS.scheduleGroup]: {
      Description: "Schedule group of the jobs",
      Value: { Ref: LOGICAL_IDS.scheduleGroup },
    },
    EcsJobsSchedulesDeadLetterQueueUrl: {
      Description: "Scheduler invocations that failed after all retries",
      Value: { Ref: LOGICAL_IDS.deadLetterQueue },
    },
    EcsJobsTaskEventsDeadLetterQueueUrl: {
      Description: "Task state change events the status function failed 5 times",
      Value: { Ref: LOGICAL_IDS.taskEventsDeadLetterQueue },
    },
  };

  const manifest = buildManifest(jobs, names.scheduleGroup, target, {
    maximumRetryAttempts: config.scheduleRetry.maximumRetryAttempts,
    maximumEventAgeInSeconds: config.scheduleRetry.maximumEventAgeInSeconds,
  });
  // The catalogue names launcher roles; their ARNs need the partition and account, known at deploy only.
  const functionEnvironment: StackAdditions["functionEnvironment"] = {};
  for (const key of new Set(iam.launchers.flatMap((l) => l.functions))) {
    functionEnvironment[key] = {
      [LAUNCHER_ROLE_ARN_PREFIX_ENV]: { "Fn::Sub": arnIn("iam", "role/", { region: false }) },
    };
  }
  return { resources, outputs, manifest, iam, functionEnvironment };
}
