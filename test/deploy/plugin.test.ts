/**
 * The osls plugin's deploy-side hooks, driven the way osls drives them, with the real serverless.yml and the
 * Scheduler API mocked: `deploy` reconciles the packaged manifest, `reconcile-schedules` the jobs folder.
 */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub placeholders in a manifest
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateScheduleCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  SchedulerClient,
} from "@aws-sdk/client-scheduler";
import { mockClient } from "aws-sdk-client-mock";
import { load as parse } from "js-yaml";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import EcsJobsPlugin from "../../deploy/plugin.ts";
import { MANIFEST_FILE_NAME, type ScheduleManifest } from "../../deploy/schedules.ts";
import { ROOT } from "../../gen/package-run.ts";
import { loadValidJobs } from "../../src/catalog/build.ts";

interface Yml {
  service: string;
  custom: { ecsJobs: Record<string, unknown> };
  functions: Record<string, { handler: string; role: string }>;
  provider: { environment: Record<string, unknown> };
}

const yml = parse(readFileSync(join(ROOT, "serverless.yml"), "utf8")) as Yml;
const ACCOUNT = "111122223333";

function fakeServerless(serviceDir = ROOT) {
  const functions = Object.fromEntries(
    Object.entries(yml.functions).map(([key, fn]) => [key, { ...fn, name: `${yml.service}-prod-${key}` }]),
  );
  return {
    serviceDir,
    classes: { Error: class ServerlessError extends Error {} },
    service: {
      service: yml.service,
      custom: { ecsJobs: { ...yml.custom.ecsJobs } },
      functions,
      provider: {
        environment: yml.provider.environment,
        compiledCloudFormationTemplate: { Resources: {}, Outputs: {} },
      },
    },
    pluginManager: { plugins: [] },
    getProvider: () => ({
      getStage: () => "prod",
      getRegion: () => "eu-central-1",
      getAccountInfo: async () => ({ accountId: ACCOUNT, partition: "aws" }),
      getAwsSdkV3Config: async () => ({
        region: "eu-central-1",
        credentials: { accessKeyId: "x", secretAccessKey: "x" },
      }),
      naming: {
        getLambdaLogicalId: (name: string) => `${name[0]?.toUpperCase()}${name.slice(1)}LambdaFunction`,
      },
    }),
  };
}

const quiet = { log: { notice: () => {}, info: () => {}, warning: () => {} } };
let scheduler: ReturnType<typeof mockClient>;

beforeEach(() => {
  scheduler = mockClient(SchedulerClient);
  scheduler.on(ListSchedulesCommand).resolves({ Schedules: [] });
  scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: "arn" });
});
afterEach(() => scheduler.restore());

const created = () => scheduler.commandCalls(CreateScheduleCommand).map((c) => c.args[0].input);

describe("the ecs-jobs osls plugin", () => {
  it("reconciles the jobs folder with `serverless reconcile-schedules`, targeting this account's function", async () => {
    const plugin = new EcsJobsPlugin(fakeServerless() as never, {}, quiet);
    await plugin.hooks["reconcile-schedules:reconcile"]?.();
    const scheduled = loadValidJobs(join(ROOT, "jobs"), ROOT).filter((j) => j.spec.schedule);
    expect(
      created()
        .map((i) => i.Name)
        .sort(),
    ).toEqual(scheduled.map((j) => j.name).sort());
    for (const input of created()) {
      expect(input.GroupName).toBe("ecs-jobs-prod");
      expect(input.Target).toMatchObject({
        Arn: `arn:aws:lambda:eu-central-1:${ACCOUNT}:function:ecs-jobs-prod-schedule`,
        RoleArn: `arn:aws:iam::${ACCOUNT}:role/ecs-jobs-prod-eu-central-1-scheduler`,
        DeadLetterConfig: { Arn: `arn:aws:sqs:eu-central-1:${ACCOUNT}:ecs-jobs-prod-schedules-dlq` },
      });
    }
    expect(scheduler.commandCalls(ListSchedulesCommand)[0]?.args[0].input).toMatchObject({
      GroupName: "ecs-jobs-prod",
    });
  });

  it("after `deploy --package DIR`, reconciles the manifest that was packaged, not the folder as it is now", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ecs-jobs-package-"));
    mkdirSync(dir, { recursive: true });
    const manifest: ScheduleManifest = {
      version: 1,
      group: "ecs-jobs-prod",
      target: {
        arn: "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:f",
        roleArn: "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/r",
        deadLetterArn: "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:q",
      },
      retry: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 600 },
      schedules: [
        {
          name: "only-this-one",
          expression: "rate(5 minutes)",
          timezone: "UTC",
          enabled: true,
          flexibleWindowMinutes: 0,
          description: "packaged earlier",
          maximumEventAgeInSeconds: 600,
        },
      ],
    };
    writeFileSync(join(dir, MANIFEST_FILE_NAME), JSON.stringify(manifest));
    const plugin = new EcsJobsPlugin(fakeServerless() as never, { package: dir }, quiet);
    await plugin.hooks["after:deploy:deploy"]?.();
    expect(created()).toHaveLength(1);
    expect(created()[0]).toMatchObject({
      Name: "only-this-one",
      Target: {
        Arn: `arn:aws:lambda:eu-central-1:${ACCOUNT}:function:f`,
        RetryPolicy: { MaximumRetryAttempts: 2 },
      },
    });
    expect(scheduler.commandCalls(GetScheduleCommand)).toHaveLength(0);
  });

  it("adds the jobs' resources to the compiled template and refuses a serverless.yml that lost a function's role", async () => {
    const serverless = fakeServerless();
    const plugin = new EcsJobsPlugin(serverless as never, {}, quiet);
    await plugin.hooks["after:package:compileEvents"]?.();
    const types = Object.values(serverless.service.provider.compiledCloudFormationTemplate.Resources).map(
      (r) => (r as { Type: string }).Type,
    );
    expect(types).toEqual(
      expect.arrayContaining(["AWS::DynamoDB::Table", "AWS::Scheduler::ScheduleGroup", "AWS::SQS::Queue"]),
    );

    const broken = fakeServerless();
    delete (broken.service.functions.status as { role?: string }).role;
    await expect(
      new EcsJobsPlugin(broken as never, {}, quiet).hooks["after:package:compileEvents"]?.(),
    ).rejects.toThrow(/functions\.status\.role must be EcsJobsStatusRole/);
  });
});
