/**
 * The one place AWS clients are built. Each client is created on first use, so a handler pays only for the
 * clients it touches. Endpoints can be pointed at the local stack (ECS emulator, dynalite).
 *
 * Retries: one layer, here (ARCHITECTURE.md). Every client retries throttling, 5xx and network errors with
 * the SDK's standard strategy (capped exponential backoff with jitter, a retry quota that stops retrying
 * when most calls fail), `RETRY.maxAttempts` calls in all. Nothing above wraps a call in a loop of its own:
 * two layers multiply (5 × 3 = 15 RunTask calls for one failing launch), and under throttling that adds to
 * the very load that caused it.
 */
import type { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { ECSClient, ECSClientConfig } from "@aws-sdk/client-ecs";
import type { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import type { SchedulerClient } from "@aws-sdk/client-scheduler";
import type { SNSClient } from "@aws-sdk/client-sns";

export type ServiceName = "ecs" | "dynamodb" | "scheduler" | "eventbridge" | "sns" | "logs";

export interface ClientConfig {
  region?: string;
  /** Per-service endpoint (local mode). */
  endpoints?: Partial<Record<ServiceName, string>>;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Calls in all, the first included, per SDK call (default RETRY.maxAttempts). */
  maxAttempts?: number;
  /**
   * Replaces the SDK's strategy (default: RETRY.mode with maxAttempts). Tests pass one with the same
   * attempts and no backoff delay, so that retries cost no wall-clock time.
   */
  retryStrategy?: ECSClientConfig["retryStrategy"];
}

/**
 * The retry policy of every AWS call this system makes: the SDK's standard mode with its default 3 calls.
 * Not adaptive: its client-side rate limiter slows every later call of the client after one throttle, and a
 * Lambda container's clients live across invocations.
 */
export const RETRY = { mode: "standard", maxAttempts: 3 } as const;

/** Clients by service, each constructed lazily. Tests pass their own objects (aws-sdk-client-mock). */
export interface AwsClients {
  readonly ecs: ECSClient;
  readonly dynamodb: DynamoDBClient;
  readonly scheduler: SchedulerClient;
  readonly eventbridge: EventBridgeClient;
  readonly sns: SNSClient;
  readonly logs: CloudWatchLogsClient;
}

type Ctor<T> = new (config: Record<string, unknown>) => T;

/**
 * A client whose package is loaded on its first call (`load` is a dynamic `import()`), not when the handler
 * is: the run-end clients of a Lambda bundle (SNS, EventBridge, Logs, Scheduler) cost ~50 M instructions of
 * a cold start that most invocations never use. The getter hands out a stand-in that has only `send`.
 */
export interface DeferredClient<T> {
  load(): Promise<Ctor<T>>;
}

/**
 * The SDK constructors are passed in rather than imported here, so that a bundled handler includes only the
 * client packages it actually uses (esbuild cannot drop an import that a lazy getter might call).
 */
export interface ClientConstructors {
  ecs?: Ctor<ECSClient>;
  dynamodb?: Ctor<DynamoDBClient>;
  scheduler?: Ctor<SchedulerClient> | DeferredClient<SchedulerClient>;
  eventbridge?: Ctor<EventBridgeClient> | DeferredClient<EventBridgeClient>;
  sns?: Ctor<SNSClient> | DeferredClient<SNSClient>;
  logs?: Ctor<CloudWatchLogsClient> | DeferredClient<CloudWatchLogsClient>;
}

interface Sender {
  send(command: unknown, options?: unknown): Promise<unknown>;
}

/** `send` that loads the client's package on first use, builds the client once, and forwards to it. */
function deferred<T>(entry: DeferredClient<T>, build: (C: Ctor<T>) => T): T {
  let client: Promise<Sender> | undefined;
  const standIn: Sender = {
    async send(command, options) {
      client ??= entry.load().then((C) => build(C) as unknown as Sender);
      // A failed load (the package missing from the bundle) is retried by the next call, not cached.
      client.catch(() => {
        client = undefined;
      });
      return (await client).send(command, options);
    },
  };
  return standIn as unknown as T;
}

export function createClients(ctors: ClientConstructors, config: ClientConfig = {}): AwsClients {
  const cache = new Map<ServiceName, unknown>();
  const make = <T>(name: ServiceName): T => {
    const hit = cache.get(name);
    if (hit) return hit as T;
    const entry = ctors[name] as Ctor<T> | DeferredClient<T> | undefined;
    if (!entry) throw new Error(`no ${name} client constructor was given to createClients`);
    const endpoint = config.endpoints?.[name];
    const build = (C: Ctor<T>) =>
      new C({
        ...(config.region && { region: config.region }),
        ...(endpoint && { endpoint }),
        ...(config.credentials && { credentials: config.credentials }),
        retryMode: RETRY.mode,
        maxAttempts: config.maxAttempts ?? RETRY.maxAttempts,
        ...(config.retryStrategy && { retryStrategy: config.retryStrategy }),
      });
    const client = "load" in entry ? deferred(entry, build) : build(entry);
    cache.set(name, client);
    return client;
  };
  return {
    get ecs() {
      return make<ECSClient>("ecs");
    },
    get dynamodb() {
      return make<DynamoDBClient>("dynamodb");
    },
    get scheduler() {
      return make<SchedulerClient>("scheduler");
    },
    get eventbridge() {
      return make<EventBridgeClient>("eventbridge");
    },
    get sns() {
      return make<SNSClient>("sns");
    },
    get logs() {
      return make<CloudWatchLogsClient>("logs");
    },
  };
}
