/**
 * The cost benchmark's counting: the counter on a known sequence of calls (capacity from item sizes worked
 * out by hand with DynamoDB's rules), the do-it-yourself model against a hand-worked example of its stated
 * assumptions, and the SQS batching model.
 */
import type { AddressInfo } from "node:net";
import {
  BatchGetItemCommand,
  ConditionalCheckFailedException,
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from "@aws-sdk/client-dynamodb";
import dynalite from "dynalite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countInto, emptyTally, operationName, record } from "../../bench/cost/counter.ts";
import { diyCost } from "../../bench/cost/diy.ts";
import { batchesOf } from "../../bench/cost/run.ts";
import { costBenchmark } from "../../bench/cost.ts";
import { closeServer } from "../../local/net.ts";

describe("cost counter", () => {
  const server = dynalite({ createTableMs: 0 });
  let client: DynamoDBClient;
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    client = new DynamoDBClient({
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      region: "eu-west-1",
      credentials: { accessKeyId: "a", secretAccessKey: "b" },
    });
    await client.send(
      new CreateTableCommand({
        TableName: "runs",
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
  });
  afterAll(async () => {
    client.destroy();
    await closeServer(server, 5_000);
  });

  it("counts each command, item writes and reads, and capacity from item sizes", async () => {
    const tally = emptyTally();
    countInto(tally, client);
    // Item size = attribute names + values: "pk" 2 + "k1" 2, "data" 4 + 1500 = 1508 bytes → 2 WCU
    // (1 KB units); read strongly consistent: 1 RCU (4 KB units); BatchGetItem, eventually consistent, of
    // this item and a missing one: 0.5 + 0.5 RCU (a missing item costs the minimum read, as DynamoDB
    // documents for BatchGetItem).
    const Item = { pk: { S: "k1" }, data: { S: "x".repeat(1500) } };
    await client.send(new PutItemCommand({ TableName: "runs", Item }));
    await client.send(
      new GetItemCommand({ TableName: "runs", Key: { pk: { S: "k1" } }, ConsistentRead: true }),
    );
    await client.send(
      new BatchGetItemCommand({
        RequestItems: { runs: { Keys: [{ pk: { S: "k1" } }, { pk: { S: "k2" } }] } },
      }),
    );
    // A refused conditional write: counted as a write of 1 WCU (the error carries no capacity).
    await expect(
      client.send(
        new PutItemCommand({ TableName: "runs", Item, ConditionExpression: "attribute_not_exists(pk)" }),
      ),
    ).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    expect([...tally.calls]).toEqual([
      ["DynamoDB.PutItem", 2],
      ["DynamoDB.GetItem", 1],
      ["DynamoDB.BatchGetItem", 1],
    ]);
    expect(tally).toMatchObject({ writes: 2, reads: 3, wcu: 3, rcu: 2 });
  });

  it("counts batch writes by item and other services by operation", () => {
    const tally = emptyTally();
    record(tally, "DynamoDB.BatchWriteItem", { RequestItems: { t: [{}, {}], u: [{}] } }, [
      { CapacityUnits: 2 },
      { CapacityUnits: 1 },
    ]);
    record(tally, operationName("ECSClient", "RunTaskCommand"), {}, undefined);
    record(tally, operationName("SNSClient", "PublishCommand"), {}, undefined);
    expect(tally).toMatchObject({ writes: 3, reads: 0, wcu: 3, rcu: 0 });
    expect([...tally.calls]).toEqual([
      ["DynamoDB.BatchWriteItem", 1],
      ["ECS.RunTask", 1],
      ["SNS.Publish", 1],
    ]);
  });
});

describe("do-it-yourself model", () => {
  it("a 1-task run of 8 events: 8 invocations and 8 one-WCU writes, one RunTask, no alert", () => {
    const c = diyCost({ tasks: 1, events: 8, failedTasks: 0 });
    expect(c).toMatchObject({ writes: 8, wcu: 8, reads: 0, lambdaInvocations: 8, schedulerInvocations: 1 });
    expect([...c.calls]).toEqual([
      ["ECS.RunTask", 1],
      ["DynamoDB.UpdateItem", 8],
    ]);
  });

  it("100 tasks, 800 events, 3 failed: 10 schedules of 10 tasks, a write per event, an SNS publish per failed task", () => {
    const c = diyCost({ tasks: 100, events: 800, failedTasks: 3 });
    expect(c).toMatchObject({ writes: 800, wcu: 800, lambdaInvocations: 800, schedulerInvocations: 10 });
    expect(Object.fromEntries(c.calls)).toEqual({
      "ECS.RunTask": 10,
      "DynamoDB.UpdateItem": 800,
      "SNS.Publish": 3,
    });
  });
});

describe("SQS batching model", () => {
  const at = (...times: number[]) => times.map((t) => ({ at: t, event: t }));
  it("closes a batch after the window from its first message", () => {
    expect(batchesOf(at(0, 0.5, 0.99, 1, 5, 5.2), 1, 100)).toEqual([[0, 0.5, 0.99], [1], [5, 5.2]]);
  });
  it("closes a batch at the batch size, and orders by arrival", () => {
    expect(batchesOf(at(0.2, 0, 0.1), 1, 2)).toEqual([[0, 0.1], [0.2]]);
  });
});

describe("cost benchmark (smoke: the two 1-task runs)", () => {
  it("drives real runs and sets each against the do-it-yourself model of the same events", async () => {
    const rows = await costBenchmark.run({ quick: true });
    expect(rows.map((r) => r.benchmark)).toEqual([
      "cost per run: 1 task, succeeded (DynamoDB writes)",
      "cost per run: 1 task, failed with an alert (DynamoDB writes)",
    ]);
    const [ok, failed] = rows;
    expect(ok!.notes).toMatch(/^run SUCCEEDED, 8 task events, 0 alerts/);
    expect(ok!.notes).toContain("ECS.RunTask 1");
    expect(failed!.notes).toMatch(/^run FAILED, 8 task events, 2 alerts/);
    expect(failed!.notes).toMatch(/ecs-jobs: .*EventBridge\.PutEvents 1.*SNS\.Publish 1/);
    for (const r of rows) expect(r.met).toBe(r.measured <= r.base!);
  });
});
