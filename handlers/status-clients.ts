/**
 * The status handler's SDK clients. Its ordinary batch of task events writes DynamoDB only: ECS is called
 * when a run ends (a retry's launch, a failed task's log stream), so its constructor comes with the run-end
 * code, behind the handler's one `import()`.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { ClientConstructors } from "../src/aws/clients.ts";
import { loadRunEnd, RUN_END_CLIENTS } from "./run-end-clients.ts";

export const STATUS_CLIENTS: ClientConstructors = {
  ecs: { load: async () => (await loadRunEnd()).ECSClient },
  dynamodb: DynamoDBClient,
  ...RUN_END_CLIENTS,
};
