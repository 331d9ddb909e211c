/**
 * The calls signed by hand (src/aws/json-api.ts) against moto: the webhook secret's two reads (SSM, Secrets
 * Manager) and the delayed retry's SendMessage (SQS) — what AWS's own clients would send, without their
 * ~290 KB in every bundle.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { awsSecretReader } from "../../src/alerts/webhook-secret.ts";
import { AwsJsonApiError, callJsonApi } from "../../src/aws/json-api.ts";
import { sqsRetryTimer } from "../../src/aws/retry-queue.ts";
import { MOTO_REGION, useMoto } from "./support/moto.ts";

const moto = useMoto();
const saved = { ...process.env };

beforeEach(async () => {
  await moto.reset();
  Object.assign(process.env, moto.env);
});
afterEach(() => {
  for (const key of Object.keys(moto.env)) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
});

describe("webhook secrets read from moto", () => {
  it("reads an SSM SecureString by name and a Secrets Manager secret by ARN", async () => {
    await callJsonApi({
      service: "ssm",
      region: MOTO_REGION,
      target: "AmazonSSM.PutParameter",
      body: { Name: "/ecs-jobs/webhook", Value: "s3cr3t-ssm", Type: "SecureString" },
    });
    const created = (await callJsonApi({
      service: "secretsmanager",
      region: MOTO_REGION,
      target: "secretsmanager.CreateSecret",
      body: { Name: "ecs-jobs/webhook", SecretString: "s3cr3t-sm" },
    })) as { ARN: string };
    const read = awsSecretReader(MOTO_REGION);
    expect(await read("/ecs-jobs/webhook")).toBe("s3cr3t-ssm");
    expect(await read(created.ARN)).toBe("s3cr3t-sm");
  });

  it("names a missing parameter or secret, and an error answer carries AWS's code", async () => {
    const read = awsSecretReader(MOTO_REGION);
    await expect(read("/ecs-jobs/nothing")).rejects.toThrow(
      "cannot read the webhook secret /ecs-jobs/nothing: no such SSM parameter",
    );
    const arn = `arn:aws:secretsmanager:${MOTO_REGION}:123456789012:secret:missing-AbCdEf`;
    await expect(read(arn)).rejects.toThrow("no such secret in Secrets Manager");
    const error = await callJsonApi({
      service: "ssm",
      region: MOTO_REGION,
      target: "AmazonSSM.GetParameter",
      body: { Name: "/nope" },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsJsonApiError);
    expect((error as AwsJsonApiError).name).toBe("ParameterNotFound");
  });
});

describe("a delayed retry sent to moto's SQS", () => {
  it("arrives on the queue as the status function reads it, after its delay", async () => {
    const { QueueUrl } = (await callJsonApi({
      service: "sqs",
      region: MOTO_REGION,
      target: "AmazonSQS.CreateQueue",
      body: { QueueName: "ecs-jobs-test-task-events" },
    })) as { QueueUrl: string };
    const due = { type: "ecs-jobs.retry-due" as const, runId: "20260310T110000Z-0000abcd", job: "report" };
    await sqsRetryTimer(QueueUrl, MOTO_REGION).after(1, due);
    const received = (await callJsonApi({
      service: "sqs",
      region: MOTO_REGION,
      target: "AmazonSQS.ReceiveMessage",
      body: { QueueUrl, WaitTimeSeconds: 5, MaxNumberOfMessages: 10 },
    })) as { Messages?: { Body: string }[] };
    expect(received.Messages?.map((m) => JSON.parse(m.Body))).toEqual([due]);
  });
});
