/**
 * CloudWatch alarms of the deployment (SPEC section 6): one on each dead-letter queue (a message there is a
 * schedule that never ran, or a task event the status function gave up on), and, for each job with
 * `alerts.alarm: true`, one on its RunsFailed and RunsMissed metrics together.
 *
 * One alarm per job, not two: a stack holds 500 resources, and at 1,000 jobs every resource counts. The two
 * metrics are summed by metric math (FILL, so that a period with only one of them still adds up).
 *
 * Actions go to `custom.ecsJobs.alarmTopicArn` when set: an operations topic. Not to the job's own
 * alerts.snsTopicArn, which already receives the alert of every failed or missed run; the alarm on top
 * would say the same thing twice.
 */
import { createHash } from "node:crypto";
import { ValidationError } from "../src/errors.ts";
import type { Job } from "../src/jobspec/schema.ts";
import { JOB_DIMENSION, METRICS_NAMESPACE } from "../src/runs/metrics.ts";
import type { CfnResource } from "./iam.ts";

/**
 * Job alarms one stack may hold. CloudFormation allows 500 resources; 1,000 jobs need ~80 others (functions,
 * roles, ~20 managed policies, queues, rules), so 300 leaves room for those to grow.
 */
export const MAX_JOB_ALARMS = 300;

/** Periods the alarms look at: the EMF metrics are standard resolution, one datapoint a minute at best. */
export const ALARM_PERIOD_SECONDS = 300;

export interface AlarmNames {
  /** SERVICE-STAGE: every alarm name starts with it, so two stages in one account do not clash. */
  prefix: string;
  deadLetterQueues: { logicalId: string; what: string }[];
  topicArn?: string | undefined;
}

const pascal = (name: string) =>
  name
    .split("-")
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join("");

/** Alphanumeric, unique per job name (the hash tells `a-b` from `ab`). */
export const jobAlarmLogicalId = (job: string): string =>
  `EcsJobsJobAlarm${pascal(job)}${createHash("sha256").update(job).digest("hex").slice(0, 6)}`;

export const jobAlarmName = (prefix: string, job: string): string => `${prefix}-${job}-runs-failed-or-missed`;

const actions = (topicArn: string | undefined) => (topicArn ? { AlarmActions: [topicArn] } : {});

function deadLetterAlarm(prefix: string, queue: AlarmNames["deadLetterQueues"][number], topicArn?: string) {
  return {
    Type: "AWS::CloudWatch::Alarm",
    Properties: {
      AlarmName: `${prefix}-${queue.what}-dead-letters`,
      AlarmDescription: `ecs-jobs: messages in the ${queue.what} dead-letter queue. Each is work that was given up on; see the runbook in README.md.`,
      Namespace: "AWS/SQS",
      MetricName: "ApproximateNumberOfMessagesVisible",
      Dimensions: [{ Name: "QueueName", Value: { "Fn::GetAtt": [queue.logicalId, "QueueName"] } }],
      Statistic: "Maximum",
      Period: ALARM_PERIOD_SECONDS,
      EvaluationPeriods: 1,
      Threshold: 0,
      ComparisonOperator: "GreaterThanThreshold",
      TreatMissingData: "notBreaching",
      ...actions(topicArn),
    },
  };
}

function jobAlarm(prefix: string, job: string, topicArn?: string): CfnResource {
  const stat = (id: string, metricName: string) => ({
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: METRICS_NAMESPACE,
        MetricName: metricName,
        Dimensions: [{ Name: JOB_DIMENSION, Value: job }],
      },
      Period: ALARM_PERIOD_SECONDS,
      Stat: "Sum",
    },
    ReturnData: false,
  });
  return {
    Type: "AWS::CloudWatch::Alarm",
    Properties: {
      AlarmName: jobAlarmName(prefix, job),
      AlarmDescription: `ecs-jobs: a run of ${job} failed or was missed. The run's alert, \`ecs-jobs runs ${job} --aws\` and the dashboard say which and why.`,
      Metrics: [
        stat("failed", "RunsFailed"),
        stat("missed", "RunsMissed"),
        {
          Id: "failedOrMissed",
          Expression: "FILL(failed, 0) + FILL(missed, 0)",
          Label: "failed or missed runs",
          ReturnData: true,
        },
      ],
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      Threshold: 1,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      // No run ending is no failure: the alarm goes back to OK after a quiet period.
      TreatMissingData: "notBreaching",
      ...actions(topicArn),
    },
  };
}

export function alarmResources(jobs: readonly Job[], names: AlarmNames): Record<string, CfnResource> {
  const alarmed = jobs.filter((j) => j.spec.alerts.alarm).length;
  if (alarmed > MAX_JOB_ALARMS)
    throw new ValidationError(
      `${alarmed} jobs set alerts.alarm: true; one stack holds at most ${MAX_JOB_ALARMS} job alarms (CloudFormation's 500 resources). Keep the alarm for the jobs someone must be woken for; the dashboard graphs every job's failed runs.`,
      { field: "alerts.alarm" },
    );
  const resources: Record<string, CfnResource> = {};
  for (const queue of names.deadLetterQueues)
    resources[`${queue.logicalId}Alarm`] = deadLetterAlarm(names.prefix, queue, names.topicArn);
  for (const job of jobs) {
    if (!job.spec.alerts.alarm) continue;
    resources[jobAlarmLogicalId(job.name)] = jobAlarm(names.prefix, job.name, names.topicArn);
  }
  return resources;
}
