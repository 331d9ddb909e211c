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
import { RUN_END_CLIENTS } from "./run-end-clients.ts";

export const LAMBDA_CLIENTS: ClientConstructors = {
  ecs: ECSClient,
  dynamodb: DynamoDBClient,
  ...RUN_END_CLIENTS,
};
