/**
 * The product's pure domain as a host computes with it and shows it: the run model (the dashboard), schedule
 * math (the Scheduler stand-in fires jobs at the times every view shows), and the parts of a job spec the
 * ECS emulator and the stand-ins read. Pure, as the domain is: nothing here loads an SDK client or does
 * I/O. `upcoming` and its helpers live with the catalogue's summaries but are schedule math all the same.
 */
export { awsExpression, capacityOf, triggersOf, upcoming } from "../catalog/summary.ts";
export { execEnvironmentOf, isLoaderVariable } from "../jobspec/exec-environment.ts";
export { describeValue, didYouMean } from "../jobspec/messages.ts";
export { MAX_TASK_COUNT, OVERRIDE_PATH } from "../jobspec/patterns.ts";
export { parseStartedBy } from "../jobspec/requests.ts";
export type { Job } from "../jobspec/schema.ts";
export { describeCost, formatCost } from "../runs/cost.ts";
export { type MetricSink, metricsOnTransitions } from "../runs/metrics.ts";
export { isFinal, type Run, type RunStatus, type RunTransitions, type TaskState } from "../runs/model.ts";
export { withRunEndLog } from "../runs/run-end-log.ts";
export { RUN_ID_PATTERN } from "../runs/run-id.ts";
export { describeSchedule } from "../schedule/describe.ts";
export { formatInZone, parseScheduleExpression, type ScheduleExpression } from "../schedule/index.ts";
export type { RetryDue } from "../triggers/retry-due.ts";
