/**
 * The webhook channel of an alert (see deliver.ts for the once-per-run claim around it): the URL checked
 * again (plain http to loopback is posted in local mode only), the body signed with the secret read at
 * delivery, the POST with its quick retries (webhook.ts), and the dead-letter path: a delivery that still
 * fails becomes an "ECS Job Alert Delivery FAILED" event on the alerts' bus, naming the receiver's host only.
 */
import { EcsJobsError } from "../errors.ts";
import type { Job } from "../jobspec/schema.ts";
import { checkWebhookUrl, webhookHost } from "../jobspec/webhook-url.ts";
import type { AlertDeps } from "./deliver.ts";
import type { Alert } from "./detail.ts";
import { ALERT_SOURCE, DELIVERY_FAILED_DETAIL_TYPE } from "./kinds.ts";
import {
  DELIVERY_HEADER,
  postWebhook,
  SIGNATURE_HEADER,
  signature,
  TIMESTAMP_HEADER,
  webhookBody,
} from "./webhook.ts";
import type { WebhookDelivery } from "./webhook-options.ts";
import { awsSecretReader, cachedSecrets } from "./webhook-secret.ts";

/** EventBridge refused the dead-letter entry. */
export class DeadLetterError extends EcsJobsError {
  constructor(message: string) {
    super("AlertDeadLetterError", message);
  }
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The deployed default: secrets from SSM / Secrets Manager, read once per Lambda container. */
let defaultReader: ((parameter: string) => Promise<string>) | undefined;
function secretReader(deps: AlertDeps): (parameter: string) => Promise<string> {
  if (deps.webhooks?.readSecret) return deps.webhooks.readSecret;
  defaultReader ??= cachedSecrets(awsSecretReader(deps.config.region));
  return defaultReader;
}

/** Posts the alert to the job's webhook; resolves to what happened (never throws for the receiver's faults). */
async function postAlert(
  deps: AlertDeps,
  alert: Alert,
  webhook: { url: string; secretParameter?: string | undefined },
) {
  const checked = checkWebhookUrl(webhook.url);
  if (!checked.ok) return { ok: false, attempts: 0, error: `invalid webhook URL: ${checked.message}` };
  if (checked.loopbackHttp && !deps.webhooks?.allowLoopbackHttp)
    return { ok: false, attempts: 0, error: "plain http webhooks are posted in local mode only" };
  const body = webhookBody(alert);
  const headers: Record<string, string> = { [DELIVERY_HEADER]: `${alert.run.runId}/${alert.kind}` };
  if (webhook.secretParameter) {
    let secret: string;
    try {
      secret = await secretReader(deps)(webhook.secretParameter);
    } catch (error) {
      return { ok: false, attempts: 0, error: error instanceof Error ? error.message : String(error) };
    }
    const timestamp = String(Math.floor(deps.now().getTime() / 1000));
    headers[TIMESTAMP_HEADER] = timestamp;
    headers[SIGNATURE_HEADER] = signature(secret, timestamp, body);
  }
  return postWebhook(webhook.url, body, headers, { sleep: deps.sleep ?? realSleep, now: deps.now });
}

/** The dead-letter path of a webhook delivery that failed: an event on the alerts' bus. */
async function putDeliveryFailed(deps: AlertDeps, delivery: WebhookDelivery): Promise<void> {
  // Loaded on first use: a run-end client, kept out of the handlers' cold start (handlers/lambda-clients.ts).
  const { PutEventsCommand } = await import("../aws/sdk/client-eventbridge.ts");
  const out = await deps.clients.eventbridge.send(
    new PutEventsCommand({
      Entries: [
        {
          Source: ALERT_SOURCE,
          DetailType: DELIVERY_FAILED_DETAIL_TYPE,
          Detail: JSON.stringify({ channel: "webhook", ...delivery }),
          EventBusName: deps.config.eventBusName,
        },
      ],
    }),
  );
  if ((out.FailedEntryCount ?? 0) > 0) {
    const entry = out.Entries?.find((e) => e.ErrorCode);
    throw new DeadLetterError(
      `PutEvents refused the delivery failure: ${entry?.ErrorCode}: ${entry?.ErrorMessage}`,
    );
  }
}

/**
 * Posts the alert to the job's webhook; a delivery that fails goes to the dead-letter event instead of
 * being thrown. Resolves to whether the receiver took it; throws only when the dead letter cannot be put.
 */
export async function sendWebhook(deps: AlertDeps, alert: Alert, job: Job): Promise<boolean> {
  const webhook = job.spec.alerts.webhook!;
  const result = await postAlert(deps, alert, webhook);
  const delivery: WebhookDelivery = {
    at: deps.now().toISOString(),
    job: job.name,
    runId: alert.run.runId,
    kind: alert.kind,
    host: webhookHost(webhook.url),
    ok: result.ok,
    attempts: result.attempts,
    ...(result.status !== undefined && { status: result.status }),
    ...(result.error !== undefined && { error: result.error }),
    signed: webhook.secretParameter !== undefined,
  };
  deps.webhooks?.onDelivery?.(delivery);
  if (result.ok) return true;
  deps.log.error("webhook delivery failed; sending it to the dead-letter event", {
    kind: alert.kind,
    runId: alert.run.runId,
    host: delivery.host,
    attempts: delivery.attempts,
    status: delivery.status,
    error: delivery.error,
  });
  await putDeliveryFailed(deps, delivery);
  return false;
}
