/**
 * A classic EventBridge rule's "Scheduled Event", for users who keep rules instead of Scheduler schedules.
 * The job is named by the rule: a rule `ecs-jobs-<job>` (or simply `<job>`) in `resources[0]`
 * (`arn:aws:events:REGION:ACCOUNT:rule/[BUS/]RULE`). The event id is kept on EventBridge's retries of one
 * delivery, so it identifies the trigger; `time` is the fire time.
 */

import * as z from "zod/mini";
import { lazySchema } from "../zod-locale.ts";

export const ScheduledEventSchema = lazySchema(() =>
  z.looseObject({
    id: z.string().check(z.minLength(1), z.maxLength(256)),
    "detail-type": z.literal("Scheduled Event"),
    source: z.literal("aws.events"),
    time: z.iso.datetime({ offset: true }),
    // A rule ARN is at most 2048 characters; longer is not EventBridge, and would end up in logs whole.
    resources: z.array(z.string().check(z.maxLength(2048))).check(z.minLength(1)),
  }),
);

export type ScheduledEvent = z.infer<typeof ScheduledEventSchema>;

export const RULE_PREFIX = "ecs-jobs-";

/** The rule name of a rule ARN, or undefined when it is not one. */
export function ruleName(arn: string): string | undefined {
  const m = /^arn:aws[a-z-]*:events:[^:]*:\d*:rule\/(?:[^/]+\/)?([^/]+)$/.exec(arn);
  return m?.[1];
}

/**
 * Candidate job names for a rule, best first: the name without the `ecs-jobs-` prefix, then the name itself
 * (a job may legitimately be called `ecs-jobs-x`; the caller picks the first that exists).
 */
export function jobNamesForRule(arn: string): string[] {
  const name = ruleName(arn);
  if (!name) return [];
  return name.startsWith(RULE_PREFIX) ? [name.slice(RULE_PREFIX.length), name] : [name];
}
