/** The run-end clients (SNS, EventBridge, CloudWatch Logs, Scheduler), each loaded on its first call: lambda-clients.ts. */
import type { ClientConstructors } from "../src/aws/clients.ts";

export const RUN_END_CLIENTS = {
  eventbridge: { load: async () => (await import("../src/aws/sdk/client-eventbridge.ts")).EventBridgeClient },
  sns: { load: async () => (await import("../src/aws/sdk/client-sns.ts")).SNSClient },
  logs: { load: async () => (await import("../src/aws/sdk/client-cloudwatch-logs.ts")).CloudWatchLogsClient },
  scheduler: { load: async () => (await import("../src/aws/sdk/client-scheduler.ts")).SchedulerClient },
} satisfies ClientConstructors;
