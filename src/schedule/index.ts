/**
 * Schedule expressions (EventBridge Scheduler dialect) and their fire times in IANA time zones.
 * describeSchedule is not here: it loads cronstrue, which `validate` and every Lambda bundle would then carry;
 * import it from ./describe.ts.
 */
export type { CronFields, DayRule } from "./cron.ts";
export type { DeployedSchedule } from "./deployed.ts";
export type { ParseResult, RateUnit, ScheduleExpression } from "./expression.ts";
export { parseScheduleExpression } from "./expression.ts";
export type { NextFireOptions } from "./next.ts";
export { nextFireTimes } from "./next.ts";
export type { LocalDateTime } from "./zone.ts";
export { assertTimeZone, formatInZone, isValidTimeZone } from "./zone.ts";
