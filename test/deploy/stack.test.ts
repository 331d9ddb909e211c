/** The pieces the deploy derives from the jobs besides IAM: schedules, event rules, names, the table, the catalogue. */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub placeholders in expected ARNs
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { clusterTasksArn, partitionOf, resolveArn, taskDefinitionRef } from "../../deploy/arns.ts";
import { parseDeployConfig } from "../../deploy/config.ts";
import { FUNCTION_KEYS } from "../../deploy/functions.ts";
import {
  chunkClusters,
  EVENT_PATTERN_MAX_CHARS,
  ecsRules,
  patternSize,
  taskStatePattern,
} from "../../deploy/rules.ts";
import { SPEC_DISABLED_MARK, scheduleEntry, scheduleRequest } from "../../deploy/schedules.ts";
import { boundedName, buildStack, LOGICAL_IDS, stackNames } from "../../deploy/stack.ts";
import { runTableDefinition, tableResource } from "../../deploy/table.ts";
import { writeJobsFolder } from "../../gen/job-files.ts";
import { ROOT } from "../../gen/package-run.ts";
import { loadValidJobs, serializeCatalog } from "../../src/catalog/build.ts";
import { catalogFromFile } from "../../src/catalog/catalog.ts";
import { SpecError } from "../../src/errors.ts";
import { parseJobs } from "../../src/jobspec/parse.ts";
import type { Job } from "../../src/jobspec/schema.ts";
import { RUN_TABLE_DEFINITION } from "../../src/ledger/dynamo-table.ts";

const RETRY = { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 };
const TARGET = {
  arn: "arn:aws:lambda:eu-west-1:111122223333:function:f",
  roleArn: "arn:aws:iam::111122223333:role/r",
  deadLetterArn: "arn:aws:sqs:eu-west-1:111122223333:q",
};

function job(text: string, name = "j"): Job {
  const { jobs, issues } = parseJobs([
    { file: `jobs/${name}.yml`, text: `${text}\ntask:\n  launchType: EC2\n  taskDefinition: app:1\n` },
  ]);
  expect(issues).toEqual([]);
  return jobs[0] as Job;
}

describe("schedule entries", () => {
  it("drop events older than the job's start deadline instead of starting them late", () => {
    const late = scheduleEntry(
      job('schedule:\n  expression: "@daily"\npolicy:\n  startDeadlineMinutes: 10'),
      RETRY,
    );
    expect(late?.maximumEventAgeInSeconds).toBe(600);
    const tight = scheduleEntry(
      job('schedule:\n  expression: "@daily"\npolicy:\n  startDeadlineMinutes: 1'),
      RETRY,
    );
    expect(tight?.maximumEventAgeInSeconds).toBe(60);
    expect(scheduleEntry(job('schedule:\n  expression: "@daily"'), RETRY)?.maximumEventAgeInSeconds).toBe(
      3600,
    );
    expect(scheduleEntry(job("http: true"), RETRY)).toBeUndefined();
  });

  it("mark a schedule disabled by its spec, within the 512-character description", () => {
    const long = `description: "${"x".repeat(512)}"\nschedule:\n  expression: "@daily"\n  enabled: false`;
    const entry = scheduleEntry(job(long), RETRY)!;
    const request = scheduleRequest(entry, "g", TARGET, RETRY);
    expect(request.State).toBe("DISABLED");
    expect(request.Description?.endsWith(SPEC_DISABLED_MARK)).toBe(true);
    expect(request.Description?.length).toBe(512);
    // The same job paused at runtime is DISABLED without the mark.
    const enabled = scheduleEntry(job('schedule:\n  expression: "@daily"'), RETRY)!;
    expect(
      scheduleRequest(enabled, "g", TARGET, RETRY, "DISABLED").Description?.endsWith(SPEC_DISABLED_MARK),
    ).toBe(false);
  });
});

describe("ECS event rules", () => {
  const clusters = Array.from(
    { length: 300 },
    (_, i) =>
      `arn:\${AWS::Partition}:ecs:\${AWS::Region}:\${AWS::AccountId}:cluster/cluster-with-a-long-name-${i}`,
  );

  it("spread a long cluster list over patterns of at most 4,096 characters, keeping every cluster once", () => {
    const chunks = chunkClusters(clusters, taskStatePattern);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks)
      expect(patternSize(taskStatePattern(chunk))).toBeLessThanOrEqual(EVENT_PATTERN_MAX_CHARS);
    expect(chunks.flat()).toEqual(clusters);
  });

  it("add an instance rule only when a job starts at instance launch", () => {
    const targets = { status: { functionLogicalId: "S" }, instanceLaunch: { functionLogicalId: "I" } };
    const types = (jobs: Job[]) => Object.keys(ecsRules(jobs, targets)).sort();
    expect(types([job("http: true")])).toEqual(["EcsJobsTaskStatePermission1", "EcsJobsTaskStateRule1"]);
    expect(types([job("onInstanceLaunch: true")])).toContain("EcsJobsInstanceStateRule1");
  });
});

describe("ARNs and names", () => {
  it("resolve task definitions, clusters and partitions as ECS and IAM spell them", () => {
    expect(taskDefinitionRef("arn:aws:ecs:eu-west-1:111122223333:task-definition/x").arn).toBe(
      "arn:aws:ecs:eu-west-1:111122223333:task-definition/x:*",
    );
    expect(clusterTasksArn("arn:aws-cn:ecs:cn-north-1:111122223333:cluster/c")).toBe(
      "arn:aws-cn:ecs:cn-north-1:111122223333:task/c/*",
    );
    expect(resolveArn(clusterTasksArn("c"), { partition: "aws", region: "eu-west-1", accountId: "1" })).toBe(
      "arn:aws:ecs:eu-west-1:1:task/c/*",
    );
    expect(["eu-west-1", "cn-north-1", "us-gov-west-1"].map(partitionOf)).toEqual([
      "aws",
      "aws-cn",
      "aws-us-gov",
    ]);
  });

  it("keep IAM role names within 64 characters, distinct per stage", () => {
    const a = boundedName(`ecs-jobs-${"feature-branch-".repeat(4)}a-eu-west-1-scheduler`);
    const b = boundedName(`ecs-jobs-${"feature-branch-".repeat(4)}b-eu-west-1-scheduler`);
    expect(a.length).toBeLessThanOrEqual(64);
    expect(a).not.toBe(b);
    expect(boundedName("short")).toBe("short");
  });
});

describe("run table", () => {
  it("is the ledger's table, run on demand with point-in-time recovery and TTL", () => {
    const table = tableResource(runTableDefinition(), "t").Properties;
    expect(table).toMatchObject({
      TableName: "t",
      BillingMode: "PAY_PER_REQUEST",
      KeySchema: RUN_TABLE_DEFINITION.KeySchema,
      TimeToLiveSpecification: { AttributeName: RUN_TABLE_DEFINITION.ttlAttribute, Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    expect((table.GlobalSecondaryIndexes as { IndexName: string }[]).map((i) => i.IndexName)).toEqual(
      RUN_TABLE_DEFINITION.GlobalSecondaryIndexes.map((i) => i.IndexName),
    );
  });
});

describe("what a stack update or deletion keeps", () => {
  const config = parseDeployConfig({});
  const fns = Object.fromEntries(FUNCTION_KEYS.map((k) => [k, `ecs-jobs-prod-${k}`])) as never;
  const names = stackNames({
    service: "ecs-jobs",
    stage: "prod",
    region: "eu-west-1",
    functionNames: fns,
    functionLogicalIds: fns,
    config,
  });
  const { resources } = buildStack({
    jobs: loadValidJobs(join(ROOT, "jobs")),
    config,
    names,
    table: runTableDefinition(),
  });

  it("retains the run table (the run history) when the stack is deleted or the table replaced", () => {
    expect(resources[LOGICAL_IDS.table]).toMatchObject({
      DeletionPolicy: "Retain",
      UpdateReplacePolicy: "Retain",
    });
  });

  it("keeps task events queued for 14 days (SQS's maximum), not the 4-day default", () => {
    expect(resources[LOGICAL_IDS.taskEventsQueue]?.Properties.MessageRetentionPeriod).toBe(14 * 24 * 3600);
  });
});

describe("packaged catalogue", () => {
  it("round-trips the example jobs", () => {
    const jobs = loadValidJobs(join(ROOT, "jobs"), ROOT);
    const catalog = catalogFromFile(JSON.parse(serializeCatalog(jobs)));
    expect(catalog.jobs).toEqual(jobs);
    expect(catalog.get("nightly-report")?.spec.schedule?.timezone).toBe("Europe/Paris");
  });

  it("refuses a folder with an invalid job, with every issue", () => {
    const dir = writeJobsFolder({
      "a.yml": "task:\n  taskDefinition: x:1\n  launchType: FARGATE\n",
      "b.yml": "task:\n  taskDefinition: x:1\n  count: 0\n",
    });
    let error: unknown;
    try {
      loadValidJobs(dir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SpecError);
    const files = new Set((error as SpecError).issues.map((i) => i.file.split("/").pop()));
    expect(files).toEqual(new Set(["a.yml", "b.yml"]));
  });
});
