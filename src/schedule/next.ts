/**
 * When a schedule fires, as EventBridge Scheduler would fire it.
 *
 * Daylight saving time — "Schedule types on EventBridge Scheduler", section "Daylight saving time"
 * (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#daylist-savings-time)
 * and AWS re:Post "eventbridge-scheduler-adjust-dst": when clocks spring forward, an invocation whose
 * cron time does not exist that day is skipped; when they fall back, it runs only once, not again
 * in the repeated hour (we take the first occurrence). Rate schedules are elapsed time: a day is
 * always 24 hours, whatever the clocks do.
 *
 * Window — CreateSchedule (botocore model): StartDate is when the schedule "can begin invoking",
 * invocations "might occur on, or after" it; EndDate is when invocations "might stop on, or before"
 * it; both are ignored for one-time (at) schedules. A rate schedule's StartDate is its first
 * occurrence; without one it starts "immediately", i.e. at the given anchor.
 */
import { ValidationError } from "../errors.ts";
import { type CronFields, daysMatching } from "./cron.ts";
import type { ScheduleExpression } from "./expression.ts";
import { assertTimeZone, instantOfLenient, instantsOf, localTimeOf } from "./zone.ts";

export interface NextFireOptions {
  /** IANA zone the expression is evaluated in; default UTC. */
  timezone?: string | undefined;
  /** Only fire times strictly after this instant are returned. */
  from: Date;
  /** How many fire times at most. */
  count: number;
  /** No fire before this instant (inclusive); for rate, also the first occurrence. Ignored by at(). */
  startDate?: Date | undefined;
  /** No fire after this instant (inclusive). Ignored by at(). */
  endDate?: Date | undefined;
  /** When a rate schedule without startDate started (its creation); default `from`. */
  anchor?: Date | undefined;
}

function instant(d: Date | undefined, field: string): number | undefined {
  if (d === undefined) return undefined;
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) {
    throw new ValidationError(`${field}: expected a valid date`, { field });
  }
  return d.getTime();
}

/** Cron fire instants strictly after `afterMs`, ascending, walking only the values the fields allow. */
function* cronInstants(fields: CronFields, timezone: string, afterMs: number): Generator<number> {
  const s = localTimeOf(afterMs, timezone);
  for (const year of fields.years) {
    if (year < s.year) continue;
    for (const month of fields.months) {
      if (year === s.year && month < s.month) continue;
      const sameMonth = year === s.year && month === s.month;
      for (const day of daysMatching(fields.days, year, month)) {
        if (sameMonth && day < s.day) continue;
        const sameDay = sameMonth && day === s.day;
        for (const hour of fields.hours) {
          if (sameDay && hour < s.hour) continue;
          const sameHour = sameDay && hour === s.hour;
          for (const minute of fields.minutes) {
            if (sameHour && minute < s.minute) continue;
            // Local times map to their first instant monotonically, so the first instant after
            // `afterMs` is never behind the local time of `afterMs`: starting there is enough.
            const first = instantsOf({ year, month, day, hour, minute, second: 0 }, timezone)[0];
            if (first === undefined) continue; // in the spring-forward gap: skipped
            if (first > afterMs) yield first;
          }
        }
      }
    }
  }
}

/**
 * The next `count` fire times strictly after `from`, ascending; fewer (possibly none) when the
 * schedule ends first. Throws ValidationError on an invalid time zone, date or count.
 */
export function nextFireTimes(expr: ScheduleExpression, opts: NextFireOptions): Date[] {
  const timezone = opts.timezone ?? "UTC";
  assertTimeZone(timezone);
  const from = instant(opts.from, "from");
  if (from === undefined) throw new ValidationError("from: required", { field: "from" });
  if (!Number.isInteger(opts.count) || opts.count < 0) {
    throw new ValidationError(`count: expected a non-negative integer, got ${opts.count}`, {
      field: "count",
    });
  }
  const start = instant(opts.startDate, "startDate");
  const end = instant(opts.endDate, "endDate");
  const anchorArg = instant(opts.anchor, "anchor");
  const out: Date[] = [];
  if (opts.count === 0) return out;

  switch (expr.kind) {
    case "at": {
      const t = instantOfLenient(expr.local, timezone);
      if (t > from) out.push(new Date(t));
      return out;
    }
    case "rate": {
      const step = expr.intervalMs;
      const anchor = start ?? anchorArg ?? from;
      let k = anchor > from ? 0 : Math.floor((from - anchor) / step) + 1;
      while (out.length < opts.count) {
        const t = anchor + k * step;
        if (end !== undefined && t > end) break;
        out.push(new Date(t));
        k++;
      }
      return out;
    }
    case "cron": {
      const after = start !== undefined ? Math.max(from, start - 1) : from;
      for (const t of cronInstants(expr.fields, timezone, after)) {
        if (end !== undefined && t > end) break;
        out.push(new Date(t));
        if (out.length >= opts.count) break;
      }
      return out;
    }
  }
}
