/**
 * The retry timer in AWS: the due retry is a message on the task events queue (the status function's own),
 * delayed with SQS DelaySeconds. Chosen over a one-time Scheduler schedule because it needs no new resource,
 * role or clean-up, is exact to the second, survives any Lambda's end, and a message that fails lands in the
 * queue's dead-letter queue like any task event; SQS's 15-minute delay limit is the policy's cap.
 * The SQS client is loaded on first use, so handlers that never delay a retry do not pay for it.
 */
import type { RetryTimer } from "../deps.ts";
import { MAX_RETRY_DELAY_SECONDS } from "../runs/retry-delay.ts";

export function sqsRetryTimer(queueUrl: string, region: string): RetryTimer {
  let send: Promise<ReturnType<typeof import("./sqs-send.ts").sqsSender>> | undefined;
  return {
    async after(seconds, due) {
      send ??= import("./sqs-send.ts").then((m) => m.sqsSender(region));
      const delay = Math.max(0, Math.min(MAX_RETRY_DELAY_SECONDS, Math.round(seconds)));
      await (await send)(queueUrl, delay, JSON.stringify(due));
    },
  };
}
