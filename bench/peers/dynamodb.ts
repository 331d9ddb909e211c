/**
 * Cold start peer of the status handler: a bare hand-written handler that imports only the SDK client a
 * task-event invocation calls, DynamoDB, and writes each event of an SQS batch to its run. (A run's end
 * also calls EventBridge, SNS, Logs or Scheduler; most invocations see no run end.) The client is built on
 * the first invocation, as the product's are.
 */
import { DynamoDBClient, UpdateItemCommand } from "@aws-sdk/client-dynamodb";

let dynamodb: DynamoDBClient | undefined;

export const handler = async (event: { Records: { body: string }[] }) => {
  dynamodb ??= new DynamoDBClient({});
  for (const record of event.Records) {
    const detail = (JSON.parse(record.body) as { detail: { startedBy: string; lastStatus: string } }).detail;
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: process.env.TABLE ?? "runs",
        Key: { pk: { S: `run#${detail.startedBy}` } },
        UpdateExpression: "SET lastStatus = :s",
        ExpressionAttributeValues: { ":s": { S: detail.lastStatus } },
      }),
    );
  }
  return { batchItemFailures: [] };
};
