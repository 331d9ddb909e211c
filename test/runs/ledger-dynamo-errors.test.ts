import "aws-sdk-client-mock-vitest/extend";
import { ConditionalCheckFailedException, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { classifyAwsError } from "../../src/aws/ecs-call.ts";
import { StaleWriteError, ThrottledError } from "../../src/errors.ts";
import { createDynamoLedger } from "../../src/ledger/dynamo.ts";
import { runFixture, taskLifecycle } from "../support/events.ts";

// The ledger talks through the document client (marshalling is the SDK's business, not tested here).
const dynamo = mockClient(DynamoDBDocumentClient);
afterEach(() => {
  dynamo.reset();
});

const client = () =>
  new DynamoDBClient({ region: "us-east-1", credentials: { accessKeyId: "t", secretAccessKey: "t" } });
const awsError = (name: string, status: number) =>
  Object.assign(new Error(`${name} message`), { name, $metadata: { httpStatusCode: status } });
/** The SDK's own exception class: the storage adapter recognises it with instanceof. */
const conditionFailed = () =>
  new ConditionalCheckFailedException({ message: "The conditional request failed", $metadata: {} });
const stored = () => ({ Item: { pk: "RUN#r", rev: 4, run: runFixture(), expiresAt: 1 } });

describe("DynamoDB ledger: SDK errors at the boundary", () => {
  it("re-reads after a lost race and gives up with StaleWriteError after the bounded attempts", async () => {
    dynamo.on(GetCommand).resolves(stored());
    dynamo.on(PutCommand).rejects(conditionFailed());
    const ledger = createDynamoLedger(client(), { tableName: "runs", retentionDays: 1, maxWriteAttempts: 3 });
    const [event] = taskLifecycle();
    await expect(ledger.applyTaskEvents(runFixture().runId, [event!.detail])).rejects.toThrow(
      StaleWriteError,
    );
    expect(dynamo).toHaveReceivedCommandTimes(GetCommand, 3);
    expect(dynamo).toHaveReceivedCommandWith(PutCommand, {
      ConditionExpression: "#rev = :v0",
      ExpressionAttributeNames: { "#rev": "rev" },
      ExpressionAttributeValues: { ":v0": 4 },
    });
  });

  it("lets throttling propagate unchanged, so the Lambda invocation is retried", async () => {
    dynamo.on(GetCommand).resolves(stored());
    dynamo.on(PutCommand).rejects(awsError("ProvisionedThroughputExceededException", 400));
    const ledger = createDynamoLedger(client(), { tableName: "runs", retentionDays: 1 });
    const [event] = taskLifecycle();
    await expect(ledger.applyTaskEvents("r", [event!.detail])).rejects.toMatchObject({
      name: "ProvisionedThroughputExceededException",
    });
    await expect(ledger.claimAlert("r", "FAILED")).rejects.toMatchObject({
      name: "ProvisionedThroughputExceededException",
    });
  });

  it("forgets its copy of a run after a write that failed for no known reason: the write may have landed", async () => {
    dynamo.on(GetCommand).resolves(stored());
    dynamo.on(PutCommand).rejectsOnce(awsError("InternalServerError", 500)).resolves({});
    const ledger = createDynamoLedger(client(), { tableName: "runs", retentionDays: 1 });
    const [provisioning, pending] = taskLifecycle();
    await expect(ledger.applyTaskEvents("r", [provisioning!.detail])).rejects.toMatchObject({
      name: "InternalServerError",
    });
    await ledger.applyTaskEvents("r", [pending!.detail]);
    // Read again rather than put on revision 4, which the failed write may have replaced.
    expect(dynamo).toHaveReceivedCommandTimes(GetCommand, 2);
  });

  it("answers a create that lost to an earlier one with the stored run", async () => {
    dynamo.on(PutCommand).rejects(conditionFailed());
    dynamo.on(GetCommand).resolves(stored());
    const ledger = createDynamoLedger(client(), { tableName: "runs", retentionDays: 1 });
    const result = await ledger.create({ ...runFixture(), notes: ["second"] });
    expect(result).toEqual({ run: runFixture(), created: false });
    expect(dynamo).toHaveReceivedCommandWith(PutCommand, {
      ConditionExpression: "attribute_not_exists(#pk)",
    });
  });
});

describe("DynamoDB ledger: listings read the listed runs in batches", () => {
  const listed = (n: number) => Array.from({ length: n }, (_, i) => ({ pk: `RUN#r${i}` }));
  const item = (pk: unknown) => ({
    pk,
    rev: 0,
    run: runFixture({ runId: String(pk).slice(4) }),
    expiresAt: 1,
  });

  it("asks again for the keys DynamoDB left unprocessed, and keeps the index's order", async () => {
    dynamo.on(QueryCommand).resolves({ Items: listed(3) });
    dynamo
      .on(BatchGetCommand)
      .resolvesOnce({
        Responses: { runs: [item("RUN#r2")] },
        UnprocessedKeys: { runs: { Keys: [{ pk: "RUN#r0" }, { pk: "RUN#r1" }] } },
      })
      .resolves({ Responses: { runs: [item("RUN#r1"), item("RUN#r0")] } });
    const ledger = createDynamoLedger(client(), { tableName: "runs", retentionDays: 1 });
    const page = await ledger.listRecent();
    expect(page.runs.map((r) => r.runId)).toEqual(["r0", "r1", "r2"]);
    expect(dynamo).toHaveReceivedCommandTimes(BatchGetCommand, 2);
    expect(dynamo).toHaveReceivedNthCommandWith(BatchGetCommand, 2, {
      RequestItems: { runs: { Keys: [{ pk: "RUN#r0" }, { pk: "RUN#r1" }] } },
    });
  });

  it("reads at most 100 keys a call", async () => {
    dynamo.on(QueryCommand).resolves({ Items: listed(250) });
    dynamo
      .on(BatchGetCommand)
      .callsFake((input: { RequestItems: Record<string, { Keys: { pk: string }[] }> }) => ({
        Responses: { runs: (input.RequestItems.runs?.Keys ?? []).map((k) => item(k.pk)) },
      }));
    const ledger = createDynamoLedger(client(), { tableName: "runs", retentionDays: 1 });
    const page = await ledger.listByJob("report", { limit: 250 });
    expect(page.runs).toHaveLength(250);
    const sizes = dynamo
      .commandCalls(BatchGetCommand)
      .map((c) => c.args[0].input.RequestItems?.runs?.Keys?.length);
    expect(sizes).toEqual([100, 100, 50]);
  });

  it("gives up with a throttling error (503 over HTTP, a retry in Lambda) when keys stay unprocessed", async () => {
    dynamo.on(QueryCommand).resolves({ Items: listed(1) });
    dynamo.on(BatchGetCommand).resolves({ UnprocessedKeys: { runs: { Keys: [{ pk: "RUN#r0" }] } } });
    const ledger = createDynamoLedger(client(), { tableName: "runs", retentionDays: 1, maxWriteAttempts: 3 });
    const error = await ledger.listRecent().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThrottledError);
    expect(classifyAwsError(error)).toBe("throttle");
    expect(dynamo).toHaveReceivedCommandTimes(BatchGetCommand, 3);
  });
});
