/**
 * A retry that waited its delay (policy.retries.delaySeconds): the message the run-end code puts on the task
 * events queue with SQS DelaySeconds, which the status function then receives among the task events.
 */

import * as z from "zod/mini";
import { lazySchema } from "../zod-locale.ts";

export const RETRY_DUE = "ecs-jobs.retry-due";

export const RetryDueSchema = lazySchema(() =>
  z.object({
    type: z.literal(RETRY_DUE),
    runId: z.string().check(z.minLength(1), z.maxLength(64)),
    job: z.string().check(z.minLength(1), z.maxLength(64)),
  }),
);

export type RetryDue = z.infer<typeof RetryDueSchema>;

/** Whether a queue message claims to be a retry (then it is checked as one, not as a task event). */
export const looksLikeRetryDue = (body: unknown): boolean =>
  typeof body === "object" && body !== null && (body as { type?: unknown }).type === RETRY_DUE;
