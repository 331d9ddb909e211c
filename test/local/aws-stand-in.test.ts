import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CloudWatchLogsClient, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import {
  GetScheduleCommand,
  ListSchedulesCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
} from "@aws-sdk/client-scheduler";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAlertLog } from "../../local/aws/alerts.ts";
import { createScheduleStore } from "../../local/aws/schedules.ts";
import { type AwsStandIn, startAwsStandIn } from "../../local/aws/stand-in-server.ts";
import { job } from "../support/spec.ts";
import { rawRequest } from "./support/raw.ts";

const config = (endpoint: string) => ({
  endpoint,
  region: "eu-west-1",
  credentials: { accessKeyId: "x", secretAccessKey: "y" },
  maxAttempts: 1,
});

const nightly = job(
  `schedule: { expression: "cron(0 3 * * ? *)", timezone: Europe/Paris }
task: { taskDefinition: report:7, launchType: EC2 }
`,
  "nightly",
);
const off = job(
  `schedule: { expression: "rate(5 minutes)", enabled: false }
task: { taskDefinition: other, launchType: EC2 }
`,
  "off",
);

describe("the AWS stand-in, through the real SDK clients", () => {
  let dir: string;
  let standIn: AwsStandIn;
  const alerts = createAlertLog();
  const stateFile = () => join(dir, "schedules.json");
  const store = () =>
    createScheduleStore({
      jobs: [nightly, off],
      group: "g",
      region: "eu-west-1",
      accountId: "111122223333",
      stateFile: stateFile(),
    });
  let schedules: ReturnType<typeof store>;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "ecs-jobs-aws-"));
    schedules = store();
    standIn = await startAwsStandIn({
      alerts,
      schedules,
      logs: (group, stream) =>
        group === "/ecs/report" && stream === "ecs/app/abc" ? [{ timestamp: 1, message: "boom" }] : undefined,
    });
  });
  afterEach(() => standIn.close());

  it("refuses a request carrying an Origin or a foreign Host: an SNS Publish a page could post cross-site", async () => {
    const publish = (headers: Record<string, string>) =>
      rawRequest(standIn.url, {
        body: "Action=Publish&TopicArn=arn%3Aaws%3Asns%3Aeu-west-1%3A111122223333%3Aops&Message=forged",
        headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      });
    const before = alerts.list().length;
    for (const headers of [{ origin: "https://evil.example" }, { host: "evil.example:80" }]) {
      const r = await publish(headers);
      expect({ headers, status: r.status }).toEqual({ headers, status: 403 });
    }
    expect(alerts.list()).toHaveLength(before);
    expect((await publish({})).status).toBe(200);
    expect(alerts.list()).toHaveLength(before + 1);
  });

  it("captures PutEvents entries as alerts and fails bad entries one by one, as EventBridge does", async () => {
    const eb = new EventBridgeClient(config(standIn.url));
    const before = alerts.list().length;
    const out = await eb.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: "ecs-jobs",
            DetailType: "ECS Job Run FAILED",
            Detail: JSON.stringify({ runId: "r1", job: "nightly", status: "FAILED" }),
          },
          { Source: "ecs-jobs", DetailType: "ECS Job Run FAILED", Detail: "{not json" },
          { Source: "ecs-jobs", DetailType: "x", Detail: "{}", EventBusName: "nope" },
        ],
      }),
    );
    expect(out.FailedEntryCount).toBe(2);
    expect(out.Entries?.[0]?.EventId).toBeTruthy();
    expect(out.Entries?.[1]?.ErrorCode).toBe("MalformedDetail");
    expect(out.Entries?.[2]?.ErrorCode).toBe("NotFoundException");
    const got = alerts.list().slice(before);
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ channel: "eventbridge", kind: "FAILED", job: "nightly", runId: "r1" });
    await expect(eb.send(new PutEventsCommand({ Entries: [] }))).rejects.toMatchObject({
      name: "ValidationException",
    });
    eb.destroy();
  });

  it("captures SNS Publish with its subject and rejects a bad topic ARN", async () => {
    const sns = new SNSClient(config(standIn.url));
    const out = await sns.send(
      new PublishCommand({
        TopicArn: "arn:aws:sns:eu-west-1:111122223333:ops",
        Subject: "ECS Job Run TIMED_OUT: nightly",
        Message: JSON.stringify({ run: { runId: "r2", job: "nightly" } }),
      }),
    );
    expect(out.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(alerts.list().at(-1)).toMatchObject({
      channel: "sns",
      kind: "TIMED_OUT",
      runId: "r2",
      topicArn: "arn:aws:sns:eu-west-1:111122223333:ops",
    });
    // The text form people read: "Job:" and "Run:" lines, the kind in the subject.
    await sns.send(
      new PublishCommand({
        TopicArn: "arn:aws:sns:eu-west-1:111122223333:ops",
        Subject: "ecs-jobs PAUSED: nightly run 20260101T000000Z-0123abcd",
        Message: "nightly was paused\n\nJob: nightly\nRun: 20260101T000000Z-0123abcd (attempt 1)",
      }),
    );
    expect(alerts.list().at(-1)).toMatchObject({
      kind: "PAUSED",
      job: "nightly",
      runId: "20260101T000000Z-0123abcd",
    });
    await expect(sns.send(new PublishCommand({ TopicArn: "ops", Message: "x" }))).rejects.toMatchObject({
      name: "InvalidParameterException",
    });
    sns.destroy();
  });

  it("serves the jobs' schedules; a pause (UpdateSchedule DISABLED) holds across a restart", async () => {
    const client = new SchedulerClient(config(standIn.url));
    const got = await client.send(new GetScheduleCommand({ Name: "nightly", GroupName: "g" }));
    expect(got).toMatchObject({
      ScheduleExpression: "cron(0 3 * * ? *)",
      ScheduleExpressionTimezone: "Europe/Paris",
      State: "ENABLED",
    });
    expect(JSON.parse(got.Target?.Input ?? "{}")).toMatchObject({ job: "nightly" });
    const list = await client.send(new ListSchedulesCommand({ GroupName: "g" }));
    expect(list.Schedules?.map((s) => [s.Name, s.State])).toEqual([
      ["nightly", "ENABLED"],
      ["off", "DISABLED"],
    ]);

    await client.send(
      new UpdateScheduleCommand({
        Name: "nightly",
        GroupName: "g",
        ScheduleExpression: got.ScheduleExpression,
        ScheduleExpressionTimezone: got.ScheduleExpressionTimezone,
        FlexibleTimeWindow: got.FlexibleTimeWindow,
        Target: got.Target,
        State: "DISABLED",
      }),
    );
    expect(schedules.isEnabled("nightly")).toBe(false);
    expect(store().isEnabled("nightly")).toBe(false);

    await expect(
      client.send(new GetScheduleCommand({ Name: "ghost", GroupName: "g" })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    client.destroy();
  });

  it("answers GetLogEvents from the local log source, and ResourceNotFound for unknown streams", async () => {
    const logs = new CloudWatchLogsClient(config(standIn.url));
    const out = await logs.send(
      new GetLogEventsCommand({ logGroupName: "/ecs/report", logStreamName: "ecs/app/abc", limit: 20 }),
    );
    expect(out.events?.map((e) => e.message)).toEqual(["boom"]);
    await expect(
      logs.send(new GetLogEventsCommand({ logGroupName: "/ecs/report", logStreamName: "ecs/app/zzz" })),
    ).rejects.toMatchObject({ name: "ResourceNotFoundException" });
    logs.destroy();
  });
});
