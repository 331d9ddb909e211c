/**
 * Everything the use cases need from the outside world, built once per process (a Lambda container, the CLI,
 * the local stack) by its entry point and passed in. Nothing in the core reads process.env or constructs a
 * client itself. Only entry points name this bag: each use case takes the part it touches (RunEndDeps,
 * LaunchDeps, StopDeps …), so its signature says what it uses and a test passes no more than that.
 */
import type { WebhookOptions } from "../alerts/webhook-options.ts";
import type { AwsClients } from "../aws/clients.ts";
import type { Catalog } from "../catalog/catalog.ts";
import type { AppConfig } from "../config.ts";
import type { Launchers } from "../launch/launcher-credentials.ts";
import type { RunTaskPacer } from "../launch/runtask-pacer.ts";
import type { RunLedger } from "../ledger/ledger.ts";
import type { Log } from "../log.ts";
import type { RetryTimer } from "./retry.ts";

export interface Deps {
  clients: AwsClients;
  ledger: RunLedger;
  catalog: Catalog;
  config: AppConfig;
  now: () => Date;
  log: Log;
  /** Waits between polls (`run --wait`); tests pass a fake. */
  sleep: (ms: number) => Promise<void>;
  /**
   * When a job's schedule was created or last modified, where its rate schedule counts from (GET /jobs). The
   * local stack gives its Scheduler stand-in's; unset in AWS, where views count from the request time.
   */
  scheduleAnchor?: (job: string) => Date | undefined;
  /**
   * Delivers a delayed retry to the status function (an SQS message with DelaySeconds in AWS). Absent (the
   * CLI, most tests), a retry is launched at once whatever its delay.
   */
  retryTimer?: RetryTimer;
  /**
   * Paces RunTask calls to ECS's rate limits, shared by every launch of the process (runtask-pacer.ts).
   * Absent (the CLI, most tests), calls go out as fast as they are made and the SDK's retries meet throttles.
   */
  runTaskPacer?: RunTaskPacer;
  /**
   * ECS clients over launcher roles (src/launch/launcher-credentials.ts), for deployments whose launch grants
   * outgrew the function roles. Absent: every launch goes with `clients.ecs`.
   */
  launchers?: Launchers;
  /** Jitter source for retry delays; Math.random unless a test pins it. */
  random?: () => number;
  /** Alert webhooks (src/alerts/webhook.ts); absent in AWS, where the defaults apply. */
  webhooks?: WebhookOptions;
}
