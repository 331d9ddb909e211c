import type { ALERT_KINDS, Job } from "../jobspec/schema.ts";

/** FAILED, TIMED_OUT, MISSED, PAUSED, SLOW, RECOVERED — what a job may list in `alerts.on`. */
export type AlertKind = (typeof ALERT_KINDS)[number];

export const ALERT_SOURCE = "ecs-jobs";
export const detailTypeOf = (kind: AlertKind): string => `ECS Job Run ${kind}`;
/** The dead-letter event of an alert a webhook did not take (src/alerts/deliver.ts). */
export const DELIVERY_FAILED_DETAIL_TYPE = "ECS Job Alert Delivery FAILED";

/** Whether the job wants alerts of `kind`: listed in alerts.on, or RECOVERED, which notify: change implies. */
export const alertWanted = (job: Job, kind: AlertKind): boolean =>
  job.spec.alerts.on.includes(kind) || (kind === "RECOVERED" && job.spec.alerts.notify === "change");
