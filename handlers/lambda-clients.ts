/**
 * The SDK clients of the Lambda handlers. Every handler can see a run end (retry, alert with log lines,
 * pause), but most invocations only launch or record: ECS and DynamoDB are loaded with the handler, the
 * run-end clients (SNS, EventBridge, CloudWatch Logs, Scheduler) by a dynamic `import()` on their first
 * call. esbuild still puts their code in the bundle, wrapped so that it is evaluated only then: ~50 M
 * instructions of a cold start (BENCHMARKS.md, cold start).
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ECSClient } from "@aws-sdk/client-ecs";
import type { ClientConstructors } from "../src/aws/clients.ts";

export const LAMBDA_CLIENTS: ClientConstructors = {
  ecs: ECSClient,
  dynamodb: DynamoDBClient,
  eventbridge: { load: async () => (await import("../src/aws/sdk/client-eventbridge.ts")).EventBridgeClient },
  sns: { load: async () => (await import("../src/aws/sdk/client-sns.ts")).SNSClient },
  logs: { load: async () => (await import("../src/aws/sdk/client-cloudwatch-logs.ts")).CloudWatchLogsClient },
  scheduler: { load: async () => (await import("../src/aws/sdk/client-scheduler.ts")).SchedulerClient },
};
