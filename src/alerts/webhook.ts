/**
 * alerts.webhook: the alert as an HTTPS POST of JSON. The body is Slack-compatible (`text` is what a chat
 * shows; Slack, Mattermost and Teams incoming webhooks read it) and carries the same `detail` as the
 * EventBridge event for receivers that parse it.
 *
 * Signing, when `secretParameter` is set — receivers verify it as the README says:
 *   X-Ecs-Jobs-Timestamp: <unix seconds>
 *   X-Ecs-Jobs-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>
 * The timestamp is signed too, so a receiver can refuse old deliveries (replays).
 * X-Ecs-Jobs-Delivery (`<runId>/<kind>`) is the same on every attempt, for receivers to deduplicate: an
 * attempt that timed out may still have arrived.
 *
 * Attempts: a few, quickly, inside the invocation, for network errors, timeouts, 429 and 5xx; any other
 * answer is final. A receiver that just failed all attempts gets one attempt per delivery for a minute, so
 * a batch of failed runs does not spend the function's time on a dead receiver.
 */
import { createHmac } from "node:crypto";
import type { Alert } from "./detail.ts";
import { alertDetail, fitDetail } from "./detail.ts";
import { ALERT_SOURCE, detailTypeOf } from "./kinds.ts";
import { alertMessage } from "./text.ts";

/** Slack advises keeping `text` under 4,000 characters; longer is truncated by chats anyway. */
export const WEBHOOK_TEXT_MAX = 3_500;
/** The body is bounded like the EventBridge entry (256 KB). */
const BODY_MAX_BYTES = 256 * 1024;
export const ATTEMPTS = 3;
export const BACKOFF_MS = [500, 1_500] as const;
export const ATTEMPT_TIMEOUT_MS = 3_000;
const QUIET_AFTER_FAILURE_MS = 60_000;

export const SIGNATURE_HEADER = "x-ecs-jobs-signature";
export const TIMESTAMP_HEADER = "x-ecs-jobs-timestamp";
export const DELIVERY_HEADER = "x-ecs-jobs-delivery";

export function webhookBody(alert: Alert): string {
  const text = alertMessage(alert);
  const detailType = detailTypeOf(alert.kind);
  const envelope = {
    text: text.length <= WEBHOOK_TEXT_MAX ? text : `${text.slice(0, WEBHOOK_TEXT_MAX)}\n…`,
    source: ALERT_SOURCE,
    "detail-type": detailType,
  };
  const overhead = Buffer.byteLength(JSON.stringify({ ...envelope, detail: null }));
  const detail = fitDetail(alertDetail(alert), overhead, BODY_MAX_BYTES);
  return `${JSON.stringify(envelope).slice(0, -1)},"detail":${detail}}`;
}

/** `sha256=<hex>` over `<timestamp>.<body>`. */
export const signature = (secret: string, timestamp: string, body: string): string =>
  `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;

export interface PostResult {
  ok: boolean;
  attempts: number;
  status?: number;
  /** Why it failed (never the URL: its path may be the receiver's credential). */
  error?: string;
}

export interface PostOptions {
  sleep: (ms: number) => Promise<void>;
  now: () => Date;
  fetch?: typeof fetch;
}

const retryable = (status: number) => status === 429 || status >= 500;
const quietUntil = new Map<string, number>();
/** Tests: forget which receivers failed lately. */
export const forgetFailedReceivers = (): void => quietUntil.clear();

/** POSTs `body` to `url`, retrying transient failures; resolves to what happened, never throws. */
export async function postWebhook(
  url: string,
  body: string,
  headers: Record<string, string>,
  options: PostOptions,
): Promise<PostResult> {
  const doFetch = options.fetch ?? fetch;
  const quiet = (quietUntil.get(url) ?? 0) > options.now().getTime();
  const attempts = quiet ? 1 : ATTEMPTS;
  let last: PostResult = { ok: false, attempts: 0 };
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) await options.sleep(BACKOFF_MS[Math.min(attempt - 2, BACKOFF_MS.length - 1)] ?? 0);
    try {
      const response = await doFetch(url, {
        method: "POST",
        body,
        headers: { "content-type": "application/json", "user-agent": "ecs-jobs", ...headers },
        // A redirect could carry the alert somewhere the spec never named (or to plain http).
        redirect: "manual",
        signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
      });
      await response.body?.cancel().catch(() => {});
      if (response.status >= 200 && response.status < 300) {
        quietUntil.delete(url);
        return { ok: true, attempts: attempt, status: response.status };
      }
      last = { ok: false, attempts: attempt, status: response.status, error: `HTTP ${response.status}` };
      if (!retryable(response.status)) return last;
    } catch (error) {
      const e = error as Error & { cause?: { code?: string } };
      const why =
        e.name === "TimeoutError" ? `no answer within ${ATTEMPT_TIMEOUT_MS} ms` : (e.cause?.code ?? e.name);
      last = { ok: false, attempts: attempt, error: why };
    }
  }
  quietUntil.set(url, options.now().getTime() + QUIET_AFTER_FAILURE_MS);
  return last;
}
