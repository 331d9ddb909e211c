/**
 * The status handler's SDK clients. A batch of task events writes DynamoDB only; ECS is called to launch a
 * retry (and to find a failed task's log stream for its alert), so its client is loaded then, by a dynamic
 * `import()` like the run-end clients (lambda-clients.ts), and the launcher with it (src/app/retry.ts).
 * Not importing ECSClient here keeps @aws-sdk/client-ecs out of what a cold start reads.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { ClientConstructors } from "../src/aws/clients.ts";
import { RUN_END_CLIENTS } from "./run-end-clients.ts";

export const STATUS_CLIENTS: ClientConstructors = {
  ecs: { load: async () => (await import("../src/aws/sdk/client-ecs.ts")).ECSClient },
  dynamodb: DynamoDBClient,
  ...RUN_END_CLIENTS,
};
