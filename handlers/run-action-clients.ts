/**
 * The SDK clients of a handler that acts on final runs (retry, alert with log lines, pause): every handler
 * that can see a run end. Imported only by those, so each bundle holds just the clients it uses.
 */
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ECSClient } from "@aws-sdk/client-ecs";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { SchedulerClient } from "@aws-sdk/client-scheduler";
import { SNSClient } from "@aws-sdk/client-sns";
import type { ClientConstructors } from "../src/aws/clients.ts";

export const RUN_ACTION_CLIENTS: ClientConstructors = {
  ecs: ECSClient,
  dynamodb: DynamoDBClient,
  eventbridge: EventBridgeClient,
  sns: SNSClient,
  logs: CloudWatchLogsClient,
  scheduler: SchedulerClient,
};
