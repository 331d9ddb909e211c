/**
 * A batch from an SQS queue, as Lambda's event source mapping delivers it
 * (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html): ECS task state change events that an
 * EventBridge rule put on the queue, one event (as JSON) per message body. Only the fields read are checked.
 */

import * as z from "zod/mini";
import { lazySchema } from "../zod-locale.ts";

export const SqsEventSchema = lazySchema(() =>
  z.looseObject({
    Records: z.array(
      z.looseObject({
        messageId: z.string().check(z.minLength(1), z.maxLength(256)),
        body: z.string(),
        eventSource: z.literal("aws:sqs"),
      }),
    ),
  }),
);

/** One message of a batch: its body read as JSON, and the id the caller retries it by. */
export interface BatchRecord {
  /** What the caller retries by (the SQS message id). */
  id: string;
  event: unknown;
}

/** Whether an invocation's event is a batch of queue messages rather than one EventBridge event. */
export const isSqsBatch = (event: unknown): boolean =>
  typeof event === "object" && event !== null && Array.isArray((event as { Records?: unknown }).Records);

/**
 * The batch's records, each message body read as JSON; a body that is not JSON is kept as its text, for
 * the event check to reject and log like any malformed event. Undefined when the batch itself is malformed.
 */
export function sqsRecords(event: unknown): BatchRecord[] | undefined {
  const batch = SqsEventSchema.safeParse(event);
  if (!batch.success) return undefined;
  return batch.data.Records.map((r) => {
    let body: unknown = r.body;
    try {
      body = JSON.parse(r.body);
    } catch {}
    return { id: r.messageId, event: body };
  });
}
