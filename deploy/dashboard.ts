/**
 * One CloudWatch dashboard of every job (SPEC section 6). Its size does not grow with the jobs: each graph
 * is a metric SEARCH over namespace ecs-jobs and dimension Job, so one widget covers every job, including
 * jobs added later, where listing them would need 1,000 metrics in a body CloudWatch caps at 500 widgets.
 * The busiest graphs keep the top 20 jobs (SORT), so 1,000 lines do not drown the ones that matter.
 *
 * Cost is not a metric (a metric per job is billed every month); the cost table is a Logs Insights widget
 * summing the `estimatedCostUsd` the run-end EMF lines carry (src/runs/metrics.ts) in the functions' logs.
 */
import { METRICS_NAMESPACE } from "../src/runs/metrics.ts";
import { ALARM_PERIOD_SECONDS } from "./alarms.ts";
import type { CfnResource } from "./iam.ts";

/** An alarm status widget shows at most 100 alarms (Dashboard Body Structure, alarm widget). */
export const ALARM_WIDGET_MAX = 100;
/** Jobs a top-N graph shows. */
export const TOP_JOBS = 20;

export interface DashboardInput {
  name: string;
  /** Lambda function names: their log groups hold the run-end lines. */
  functionNames: readonly string[];
  /** Names of the alarms to show, dead-letter queues first. */
  alarmNames: readonly string[];
  /** The dead-letter queues' logical ids. */
  deadLetterQueues: readonly { logicalId: string; what: string }[];
}

const search = (metric: string, stat: string) =>
  `SEARCH('{${METRICS_NAMESPACE},Job} MetricName="${metric}"', '${stat}', ${ALARM_PERIOD_SECONDS})`;
const top = (expression: string, by: string) => `SORT(${expression}, ${by}, DESC, ${TOP_JOBS})`;

type Widget = Record<string, unknown>;

/** Fn::Sub fills it in with the stack's region. */
const REGION = `\${AWS::Region}`;

function graph(title: string, expressions: [string, string][], x: number, y: number): Widget {
  return {
    type: "metric",
    x,
    y,
    width: 8,
    height: 6,
    properties: {
      title,
      region: REGION,
      view: "timeSeries",
      stacked: false,
      period: ALARM_PERIOD_SECONDS,
      metrics: expressions.map(([expression, id]) => [{ expression, id }]),
    },
  };
}

function widgets(input: DashboardInput, queueNames: readonly string[]): Widget[] {
  const alarmArns = input.alarmNames
    .slice(0, ALARM_WIDGET_MAX)
    .map((n) => `arn:\${AWS::Partition}:cloudwatch:\${AWS::Region}:\${AWS::AccountId}:alarm:${n}`);
  const sources = input.functionNames.map((f) => `SOURCE '/aws/lambda/${f}'`).join(" | ");
  return [
    {
      type: "text",
      x: 0,
      y: 0,
      width: 24,
      height: 2,
      properties: {
        markdown: `## ecs-jobs: ${input.name}\nRuns by job from the run-end metrics (namespace \`${METRICS_NAMESPACE}\`, dimension \`Job\`); graphs of many jobs keep the top ${TOP_JOBS}. Costs are estimates from the price table in the code. Managed by the deployment: edits here are overwritten.`,
      },
    },
    graph("Runs succeeded", [[search("RunsSucceeded", "Sum"), "succeeded"]], 0, 2),
    graph("Runs failed (top jobs)", [[top(search("RunsFailed", "Sum"), "SUM"), "failed"]], 8, 2),
    graph(
      "Runs timed out, missed, cancelled",
      [
        [search("RunsTimedOut", "Sum"), "timedOut"],
        [search("RunsMissed", "Sum"), "missed"],
        [search("RunsCancelled", "Sum"), "cancelled"],
      ],
      16,
      2,
    ),
    graph(
      "Run duration, s (longest jobs)",
      [[top(search("RunDuration", "Maximum"), "MAX"), "duration"]],
      0,
      8,
    ),
    graph(
      "Start latency, s: fire time to RUNNING (slowest jobs)",
      [[top(search("StartLatency", "Maximum"), "MAX"), "latency"]],
      8,
      8,
    ),
    graph("Retries launched", [[search("Retries", "Sum"), "retries"]], 16, 8),
    {
      type: "metric",
      x: 0,
      y: 14,
      width: 8,
      height: 6,
      properties: {
        title: "Dead-letter queues: messages",
        region: REGION,
        view: "timeSeries",
        stat: "Maximum",
        period: ALARM_PERIOD_SECONDS,
        metrics: queueNames.map((q, i) => [
          "AWS/SQS",
          "ApproximateNumberOfMessagesVisible",
          "QueueName",
          q,
          { label: input.deadLetterQueues[i]?.what ?? q },
        ]),
      },
    },
    {
      type: "alarm",
      x: 8,
      y: 14,
      width: 16,
      height: 6,
      properties: {
        title: `Alarms${input.alarmNames.length > ALARM_WIDGET_MAX ? ` (first ${ALARM_WIDGET_MAX} of ${input.alarmNames.length})` : ""}`,
        alarms: alarmArns,
      },
    },
    {
      type: "log",
      x: 0,
      y: 20,
      width: 24,
      height: 8,
      properties: {
        title: "Estimated cost by job (Fargate and Fargate Spot runs, USD, estimate)",
        region: REGION,
        view: "table",
        query: `${sources} | filter ispresent(estimatedCostUsd) | stats sum(estimatedCostUsd) as usd, sum(vcpuSeconds) as vcpuSeconds, sum(gbSeconds) as gbSeconds, count(*) as runs by Job | sort usd desc | limit 100`,
      },
    },
  ];
}

/**
 * The dashboard resource. The body is a Fn::Sub template: the region and account come from the stack, the
 * queue names from the queues (`${Logical.QueueName}`).
 */
export function dashboardResource(input: DashboardInput): CfnResource {
  const queueNames = input.deadLetterQueues.map((q) => `\${${q.logicalId}.QueueName}`);
  const body = { start: "-P7D", periodOverride: "auto", widgets: widgets(input, queueNames) };
  return {
    Type: "AWS::CloudWatch::Dashboard",
    Properties: { DashboardName: input.name, DashboardBody: { "Fn::Sub": JSON.stringify(body) } },
  };
}
