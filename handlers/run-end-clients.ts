/**
 * What every Lambda handler loads only when a run ends, with no SDK client imported here (the status handler
 * builds its client set on this file without ECS; esbuild would count an ECS import here as reached).
 */
import type { ClientConstructors } from "../src/aws/clients.ts";

/**
 * The one `import()` of the code only a run's end runs (retry, alerts, pause, launcher roles): esbuild puts
 * what only it reaches in one chunk. One boundary per handler, not one per module, which cut the cold path
 * into 11 files (BENCHMARKS.md, cold start, the `cold2` round).
 */
export const loadRunEnd = () => import("./run-end.ts");

/** SNS, EventBridge, CloudWatch Logs and Scheduler: each by a dynamic `import()` on its first call. */
export const RUN_END_CLIENTS = {
  eventbridge: { load: async () => (await import("../src/aws/sdk/client-eventbridge.ts")).EventBridgeClient },
  sns: { load: async () => (await import("../src/aws/sdk/client-sns.ts")).SNSClient },
  logs: { load: async () => (await import("../src/aws/sdk/client-cloudwatch-logs.ts")).CloudWatchLogsClient },
  scheduler: { load: async () => (await import("../src/aws/sdk/client-scheduler.ts")).SchedulerClient },
} satisfies ClientConstructors;
