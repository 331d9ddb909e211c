/**
 * Cold start peer of the launching handlers (schedule, http, instance-launch) and the sweeper: a bare
 * hand-written Lambda handler that imports only the SDK clients such an invocation calls, ECS and DynamoDB,
 * and does the launch's calls (the run written, RunTask, the launch recorded). Clients are built on the first
 * invocation, as the product's are, so that an import measures the same kind of work on both sides.
 */
import { DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { ECSClient, RunTaskCommand } from "@aws-sdk/client-ecs";

let clients: { ecs: ECSClient; dynamodb: DynamoDBClient } | undefined;

export const handler = async (event: { job: string; runId: string; taskDefinition: string }) => {
  clients ??= { ecs: new ECSClient({}), dynamodb: new DynamoDBClient({}) };
  const TableName = process.env.TABLE ?? "runs";
  const item = { pk: { S: `run#${event.runId}` }, job: { S: event.job } };
  await clients.dynamodb.send(new PutItemCommand({ TableName, Item: { ...item, status: { S: "PENDING" } } }));
  const out = await clients.ecs.send(
    new RunTaskCommand({ taskDefinition: event.taskDefinition, startedBy: event.runId }),
  );
  const tasks = (out.tasks ?? []).map((t) => ({ S: t.taskArn ?? "" }));
  await clients.dynamodb.send(new PutItemCommand({ TableName, Item: { ...item, tasks: { L: tasks } } }));
  return { launched: tasks.length };
};
