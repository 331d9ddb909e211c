/**
 * The schedule handler's input from EventBridge Scheduler — the contract with the deploy step, which sets
 * every schedule's target Input to exactly
 *
 *   {"job":"NAME","executionId":"<aws.scheduler.execution-id>","scheduledTime":"<aws.scheduler.scheduled-time>"}
 *
 * Scheduler replaces the placeholders per invocation (https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-context-attributes.html).
 * The execution id is the same on Scheduler's own retries of one firing, so it identifies the trigger and
 * makes the run id, hence the RunTask clientTokens, the same on every delivery.
 */

import * as z from "zod/mini";
import { lazySchema } from "../zod-locale.ts";

export const SchedulerInputSchema = lazySchema(() =>
  z.looseObject({
    job: z.string().check(z.minLength(1), z.maxLength(256)),
    executionId: z.string().check(z.minLength(1), z.maxLength(256)),
    scheduledTime: z.iso.datetime({ offset: true }),
  }),
);

export type SchedulerInput = z.infer<typeof SchedulerInputSchema>;

/** The Input a schedule of `job` carries (what serverless/deploy writes; tests use it to build events). */
export const schedulerInputTemplate = (job: string): string =>
  JSON.stringify({
    job,
    executionId: "<aws.scheduler.execution-id>",
    scheduledTime: "<aws.scheduler.scheduled-time>",
  });
