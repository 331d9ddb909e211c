import type { ALERT_KINDS } from "../spec/schema.ts";

/** FAILED, TIMED_OUT, MISSED, PAUSED, SLOW, RECOVERED — what a job may list in `alerts.on`. */
export type AlertKind = (typeof ALERT_KINDS)[number];

export const ALERT_SOURCE = "ecs-jobs";
export const detailTypeOf = (kind: AlertKind): string => `ECS Job Run ${kind}`;

/** The run statuses that are failures: they alert, count towards pauseAfterFailures, and precede RECOVERED. */
export const FAILED_STATUSES: ReadonlySet<string> = new Set(["FAILED", "TIMED_OUT", "MISSED"]);
