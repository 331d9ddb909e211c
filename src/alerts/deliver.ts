/**
 * Sending an alert exactly once per run and kind, without losing it to a transient failure.
 *
 * Each channel (the EventBridge event, the SNS message) is claimed in the ledger before it is sent, all
 * of an alert's channels in one write: only the first claimer sends, so duplicated events and concurrent
 * handlers send nothing twice. When a send fails (throttled, a failed entry) that channel's claim is
 * released and the error is thrown, so the Lambda invocation is retried and the retry claims and sends that
 * channel again. Claims are per channel, so a retry after an SNS failure does not repeat the EventBridge
 * event. What remains: a process that dies between the claim and the sends loses the channels not sent
 * yet — chosen over sending them twice.
 *
 * The webhook is the exception to "release and throw": a receiver that is down or refuses the alert would
 * otherwise hold the run's task events in the queue until they reach its dead-letter queue. After its own
 * quick attempts (webhook.ts) a failed delivery keeps its claim and goes to the dead-letter path instead: an
 * "ECS Job Alert Delivery FAILED" event on the alerts' bus, saying which run, kind and receiver host, and
 * why. Only when that event cannot be put either is the claim released and the error thrown.
 */
import type { AwsClients } from "../aws/clients.ts";
import type { AppConfig } from "../config.ts";
import { EcsJobsError } from "../errors.ts";
import type { Job } from "../jobspec/schema.ts";
import type { Log } from "../log.ts";
import type { Run } from "../runs/model.ts";
import type { ChangesSinceSuccess } from "./changes.ts";
import { type Alert, alertDetail, fitDetail } from "./detail.ts";
import { failedContainerLogs } from "./failed-container-logs.ts";
import { ALERT_SOURCE, type AlertKind, alertWanted, detailTypeOf } from "./kinds.ts";
import { alertMessage, alertSubject } from "./text.ts";
import type { WebhookOptions } from "./webhook-options.ts";
import { sendWebhook } from "./webhook-send.ts";

/** Where a channel is claimed before it is sent: the run ledger's alert claims, and nothing else of it. */
export interface AlertClaims {
  claimChannels(runId: string, kind: string, channels: readonly string[]): Promise<string[]>;
  releaseChannel(runId: string, kind: string, channel: string): Promise<void>;
}

/** The alert service's port: its channels' clients (and the log service's, for log lines), its claims. */
export interface AlertDeps {
  clients: Pick<AwsClients, "eventbridge" | "sns" | "ecs" | "logs">;
  config: AppConfig;
  ledger: AlertClaims;
  log: Log;
  now: () => Date;
  sleep?: (ms: number) => Promise<void>;
  webhooks?: WebhookOptions;
}

export interface AlertRequest {
  kind: AlertKind;
  job: Job;
  run: Run;
  summary: string;
  /** Attach the failed (or slow) container's log link and last lines. */
  withLogs?: boolean;
  /** For failures: what changed since the job's last success. */
  changes?: ChangesSinceSuccess;
}

export type Channel = "eventbridge" | "sns" | "webhook";

/** EventBridge accepted the request but refused the entry. */
export class AlertDeliveryError extends EcsJobsError {
  constructor(message: string) {
    super("AlertDeliveryError", message);
  }
}

async function putEvent(deps: AlertDeps, alert: Alert): Promise<void> {
  const DetailType = detailTypeOf(alert.kind);
  const Detail = fitDetail(
    alertDetail(alert),
    Buffer.byteLength(ALERT_SOURCE) + Buffer.byteLength(DetailType),
  );
  // Loaded on first use: a run-end client, kept out of the handlers' cold start (handlers/lambda-clients.ts).
  const { PutEventsCommand } = await import("../aws/sdk/client-eventbridge.ts");
  const out = await deps.clients.eventbridge.send(
    new PutEventsCommand({
      Entries: [{ Source: ALERT_SOURCE, DetailType, Detail, EventBusName: deps.config.eventBusName }],
    }),
  );
  if ((out.FailedEntryCount ?? 0) > 0) {
    const entry = out.Entries?.find((e) => e.ErrorCode);
    throw new AlertDeliveryError(`PutEvents refused the alert: ${entry?.ErrorCode}: ${entry?.ErrorMessage}`);
  }
}

async function publish(deps: AlertDeps, alert: Alert, topicArn: string): Promise<void> {
  // Loaded on first use: a run-end client, kept out of the handlers' cold start (handlers/lambda-clients.ts).
  const { PublishCommand } = await import("../aws/sdk/client-sns.ts");
  await deps.clients.sns.send(
    new PublishCommand({ TopicArn: topicArn, Subject: alertSubject(alert), Message: alertMessage(alert) }),
  );
}

/**
 * Sends the alert on every channel not sent yet, if the job lists the kind in `alerts.on`.
 * Resolves to the channels this call sent; throws (after releasing their claims) if any failed.
 */
export async function deliverAlert(deps: AlertDeps, req: AlertRequest): Promise<Channel[]> {
  const { job, run, kind } = req;
  if (!alertWanted(job, kind)) return [];
  const topic = job.spec.alerts.snsTopicArn;
  const channels: Channel[] = ["eventbridge"];
  if (topic) channels.push("sns");
  if (job.spec.alerts.webhook) channels.push("webhook");
  let alert: Alert | undefined;
  const content = async (): Promise<Alert> => {
    alert ??= {
      kind,
      run,
      summary: req.summary,
      logs: req.withLogs ? await failedContainerLogs(deps, job, run) : undefined,
      ...(req.changes && { changes: req.changes }),
    };
    return alert;
  };

  const sent: Channel[] = [];
  let failure: unknown;
  const claimed = new Set(await deps.ledger.claimChannels(run.runId, kind, channels));
  for (const channel of channels) {
    if (!claimed.has(channel)) continue;
    try {
      const a = await content();
      if (channel === "eventbridge") await putEvent(deps, a);
      else if (channel === "sns") await publish(deps, a, topic!);
      else if (!(await sendWebhook(deps, a, job))) continue; // dead-lettered: handled, not sent
      sent.push(channel);
      deps.log.info("alert sent", { kind, channel, job: job.name, runId: run.runId });
    } catch (error) {
      failure ??= error;
      deps.log.error("alert not sent; releasing its claim for a retry", {
        kind,
        channel,
        runId: run.runId,
        error: String(error),
      });
      await deps.ledger.releaseChannel(run.runId, kind, channel);
    }
  }
  if (failure !== undefined) throw failure;
  return sent;
}
