/**
 * The retry timer in AWS: the due retry is a message on the task events queue (the status function's own),
 * delayed with SQS DelaySeconds. Chosen over a one-time Scheduler schedule because it needs no new resource,
 * role or clean-up, is exact to the second, survives any Lambda's end, and a message that fails lands in the
 * queue's dead-letter queue like any task event; SQS's 15-minute delay limit is the policy's cap.
 * One signed call (json-api.ts), not the SQS client: 30 KB less in every handler bundle.
 */
import { callJsonApi } from "./json-api.ts";

/** SQS's own limit on DelaySeconds (the retry policy caps its delays at the same 15 minutes). */
const SQS_MAX_DELAY_SECONDS = 900;

/**
 * A RetryTimer (src/app/retry.ts) by shape: the message is whatever the caller gives, sent as JSON, so this
 * base module knows nothing of what a retry is.
 */
export function sqsRetryTimer(
  queueUrl: string,
  region: string,
): { after(seconds: number, due: object): Promise<void> } {
  return {
    async after(seconds, due) {
      const delay = Math.max(0, Math.min(SQS_MAX_DELAY_SECONDS, Math.round(seconds)));
      await callJsonApi({
        service: "sqs",
        region,
        target: "AmazonSQS.SendMessage",
        body: { QueueUrl: queueUrl, MessageBody: JSON.stringify(due), DelaySeconds: delay },
      });
    },
  };
}
