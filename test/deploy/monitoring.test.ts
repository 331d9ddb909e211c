/** The alarms and the CloudWatch dashboard the deploy adds (SPEC section 6). */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub placeholders
import { describe, expect, it } from "vitest";
import { MAX_JOB_ALARMS } from "../../deploy/alarms.ts";
import { parseDeployConfig } from "../../deploy/config.ts";
import type { CfnResource } from "../../deploy/iam.ts";
import { buildStack, LOGICAL_IDS, stackNames } from "../../deploy/stack.ts";
import { runTableDefinition } from "../../deploy/table.ts";
import { ValidationError } from "../../src/errors.ts";
import { parseJobs } from "../../src/jobspec/parse.ts";
import type { Job } from "../../src/jobspec/schema.ts";

const FUNCTIONS = {
  schedule: "svc-test-schedule",
  http: "svc-test-http",
  instanceLaunch: "svc-test-instanceLaunch",
  status: "svc-test-status",
  sweeper: "svc-test-sweeper",
};

function jobs(count: number, alarm: (i: number) => boolean): Job[] {
  const texts = Array.from({ length: count }, (_, i) => ({
    file: `jobs/job-${i}.yml`,
    text: `task:\n  launchType: EC2\n  taskDefinition: app:1\n${alarm(i) ? "alerts:\n  alarm: true\n" : ""}`,
  }));
  const { jobs: parsed, issues } = parseJobs(texts);
  expect(issues).toEqual([]);
  return parsed;
}

function stack(js: readonly Job[], custom: Record<string, unknown> = {}) {
  const config = parseDeployConfig(custom);
  const names = stackNames({
    service: "svc",
    stage: "test",
    region: "eu-west-1",
    functionNames: FUNCTIONS,
    functionLogicalIds: FUNCTIONS,
    config,
  });
  return buildStack({ jobs: js, config, names, table: runTableDefinition() }).resources;
}

const ofType = (resources: Record<string, CfnResource>, type: string) =>
  Object.entries(resources).filter(([, r]) => r.Type === type);

/** The dashboard body as CloudWatch gets it, placeholders filled in. */
function dashboardBody(resources: Record<string, CfnResource>) {
  const dashboard = resources[LOGICAL_IDS.dashboard];
  if (!dashboard) throw new Error("no dashboard in the stack");
  const body = (dashboard.Properties.DashboardBody as { "Fn::Sub": string })["Fn::Sub"];
  const filled = body.replace(/\$\{([^}]+)\}/g, (_, name: string) => `filled-${name.replace(/\W/g, "")}`);
  return {
    raw: body,
    json: JSON.parse(filled) as { widgets: { type: string; properties: Record<string, unknown> }[] },
  };
}

describe("alarms", () => {
  it("watch both dead-letter queues for any message", () => {
    const alarms = ofType(stack(jobs(1, () => false)), "AWS::CloudWatch::Alarm");
    expect(alarms.map(([id]) => id).sort()).toEqual([
      "EcsJobsSchedulesDeadLetterQueueAlarm",
      "EcsJobsTaskEventsDeadLetterQueueAlarm",
    ]);
    for (const [id, alarm] of alarms) {
      expect(alarm.Properties).toMatchObject({
        Namespace: "AWS/SQS",
        MetricName: "ApproximateNumberOfMessagesVisible",
        Dimensions: [{ Name: "QueueName", Value: { "Fn::GetAtt": [id.replace(/Alarm$/, ""), "QueueName"] } }],
        Threshold: 0,
        ComparisonOperator: "GreaterThanThreshold",
        TreatMissingData: "notBreaching",
      });
      expect(alarm.Properties).not.toHaveProperty("AlarmActions");
    }
    expect(
      [LOGICAL_IDS.deadLetterQueue, LOGICAL_IDS.taskEventsDeadLetterQueue].map((q) => `${q}Alarm`).sort(),
    ).toEqual(alarms.map(([id]) => id).sort());
  });

  it("one per job with alerts.alarm, on its RunsFailed and RunsMissed, notifying the deployment's alarm topic", () => {
    const topic = "arn:aws:sns:eu-west-1:111122223333:ops";
    const resources = stack(
      jobs(3, (i) => i === 1),
      { alarmTopicArn: topic },
    );
    const jobAlarms = ofType(resources, "AWS::CloudWatch::Alarm").filter(
      ([, a]) => !("Namespace" in a.Properties),
    );
    expect(jobAlarms).toHaveLength(1);
    const [id, alarm] = jobAlarms[0] as [string, CfnResource];
    expect(id).toMatch(/^EcsJobsJobAlarmJob1[0-9a-f]{6}$/);
    const metrics = alarm.Properties.Metrics as {
      Id: string;
      MetricStat?: { Metric: Record<string, unknown>; Stat: string };
      Expression?: string;
      ReturnData: boolean;
    }[];
    expect(metrics.filter((m) => m.MetricStat).map((m) => m.MetricStat?.Metric)).toEqual([
      { Namespace: "ecs-jobs", MetricName: "RunsFailed", Dimensions: [{ Name: "Job", Value: "job-1" }] },
      { Namespace: "ecs-jobs", MetricName: "RunsMissed", Dimensions: [{ Name: "Job", Value: "job-1" }] },
    ]);
    expect(metrics.filter((m) => m.ReturnData).map((m) => m.Expression)).toEqual([
      "FILL(failed, 0) + FILL(missed, 0)",
    ]);
    expect(alarm.Properties).toMatchObject({
      AlarmName: "svc-test-job-1-runs-failed-or-missed",
      Threshold: 1,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      AlarmActions: [topic],
    });
    for (const [, a] of ofType(resources, "AWS::CloudWatch::Alarm"))
      expect(a.Properties.AlarmActions).toEqual([topic]);
  });

  it("job names that differ only in hyphens get distinct alarms", () => {
    const { jobs: js } = parseJobs(
      ["a-b", "ab"].map((name) => ({
        file: `jobs/${name}.yml`,
        text: "task:\n  launchType: EC2\n  taskDefinition: app:1\nalerts:\n  alarm: true\n",
      })),
    );
    expect(ofType(stack(js), "AWS::CloudWatch::Alarm")).toHaveLength(4);
  });

  it(`refuse more than ${MAX_JOB_ALARMS} job alarms, saying why, rather than fail the deploy at CloudFormation`, () => {
    expect(() => stack(jobs(MAX_JOB_ALARMS + 1, () => true))).toThrow(ValidationError);
    expect(() => stack(jobs(MAX_JOB_ALARMS + 1, () => true))).toThrow(/at most 300 job alarms/);
    expect(ofType(stack(jobs(MAX_JOB_ALARMS, () => true)), "AWS::CloudWatch::Alarm")).toHaveLength(
      MAX_JOB_ALARMS + 2,
    );
  });

  it("are refused a FIFO or malformed alarm topic", () => {
    expect(() => parseDeployConfig({ alarmTopicArn: "arn:aws:sns:eu-west-1:111122223333:ops.fifo" })).toThrow(
      /alarmTopicArn/,
    );
  });
});

describe("the dashboard", () => {
  it("graphs every ecs-jobs metric by job with a SEARCH, so one widget covers every job", () => {
    const { json } = dashboardBody(stack(jobs(2, () => false)));
    const expressions = json.widgets
      .filter((w) => w.type === "metric")
      .flatMap((w) => (w.properties.metrics as unknown[][]).flat())
      .flatMap((m) =>
        (m as { expression?: string }).expression ? [(m as { expression: string }).expression] : [],
      );
    for (const name of [
      "RunsSucceeded",
      "RunsFailed",
      "RunsTimedOut",
      "RunsMissed",
      "RunsCancelled",
      "RunDuration",
      "StartLatency",
      "Retries",
    ])
      expect(expressions.some((e) => e.includes(`SEARCH('{ecs-jobs,Job} MetricName="${name}"'`))).toBe(true);
  });

  it("shows the dead-letter queues, the alarms, and the estimated cost by job from the functions' logs", () => {
    const { json, raw } = dashboardBody(stack(jobs(2, (i) => i === 0)));
    const alarm = json.widgets.find((w) => w.type === "alarm");
    expect(alarm?.properties.alarms).toHaveLength(3);
    expect(raw).toContain("alarm:svc-test-job-0-runs-failed-or-missed");
    expect(raw).toContain("${EcsJobsTaskEventsDeadLetterQueue.QueueName}");
    const log = json.widgets.find((w) => w.type === "log");
    const query = String(log?.properties.query);
    for (const f of Object.values(FUNCTIONS)) expect(query).toContain(`SOURCE '/aws/lambda/${f}'`);
    expect(query).toContain("stats sum(estimatedCostUsd)");
    expect(query).toContain("by Job");
  });

  it("does not grow with the jobs: the same body for 1 job and 1,000, and at most 100 alarms listed", () => {
    const small = dashboardBody(stack(jobs(1, () => false))).raw;
    const large = dashboardBody(stack(jobs(1000, () => false))).raw;
    expect(large).toBe(small);
    const alarmed = dashboardBody(stack(jobs(1000, (i) => i < MAX_JOB_ALARMS)));
    expect(alarmed.json.widgets.find((w) => w.type === "alarm")?.properties.alarms).toHaveLength(100);
    expect(alarmed.json.widgets.length).toBeLessThanOrEqual(500);
    // Far below what PutDashboard takes: the body is a few KB whatever the number of jobs.
    expect(alarmed.raw.length).toBeLessThan(32 * 1024);
  });
});
