/**
 * A short English description of a schedule, for `list` and the dashboard.
 * cronstrue reads Quartz expressions (seconds first, optional year, day-of-week 1-7 = SUN-SAT with
 * `dayOfWeekStartIndexZero: false`), which is AWS's dialect once a seconds field is put in front.
 */
import cronstrue from "cronstrue";
import type { ScheduleExpression } from "./expression.ts";

const pad = (n: number): string => String(n).padStart(2, "0");

export function describeSchedule(expr: ScheduleExpression): string {
  switch (expr.kind) {
    case "rate":
      return expr.value === 1 ? `Every ${expr.unit}` : `Every ${expr.value} ${expr.unit}s`;
    case "at": {
      const l = expr.local;
      return `Once, at ${l.year}-${pad(l.month)}-${pad(l.day)} ${pad(l.hour)}:${pad(l.minute)}:${pad(l.second)}`;
    }
    case "cron": {
      const body = expr.aws.slice("cron(".length, -1);
      try {
        return cronstrue.toString(`0 ${body}`, {
          dayOfWeekStartIndexZero: false,
          use24HourTimeFormat: true,
          throwExceptionOnParseError: true,
        });
      } catch {
        return expr.aws;
      }
    }
  }
}
