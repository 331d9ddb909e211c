/**
 * Schedules that will never fire again, which depends on when the question is asked: `now` is the caller's
 * (the CLI passes its clock), so this stays pure. Issue 20, item 11.
 * - A recurring schedule with no fire time after now (its cron years are all past, or its only times fall in
 *   a daylight-saving gap) is an error: nothing in it will ever run, which is a mistake rather than a state.
 * - A one-time at() in the past is a warning: EventBridge Scheduler accepts it and never fires it, and a
 *   one-off job that has run is a normal thing to find in a repository; failing the folder for it would turn
 *   a green build red overnight with nothing changed.
 */
import { type CronFields, daysMatching } from "../schedule/cron.ts";
import { parseScheduleExpression } from "../schedule/expression.ts";
import { nextFireTimes } from "../schedule/next.ts";
import type { LocalDateTime } from "../schedule/zone.ts";
import type { RuleIssue } from "./rules.ts";
import type { JobSpec } from "./schema.ts";

export interface TimeIssues {
  errors: RuleIssue[];
  warnings: RuleIssue[];
}

const DAY = 86_400_000;
const wallClockAsUtc = (t: LocalDateTime) => Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);

const utc = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "Z");

export function scheduleTimeIssues(spec: JobSpec, now: Date): TimeIssues {
  const out: TimeIssues = { errors: [], warnings: [] };
  const s = spec.schedule;
  const parsed = s && parseScheduleExpression(s.expression);
  if (!s || !parsed?.ok) return out;
  const expr = parsed.value;
  if (expr.kind === "rate") return out;
  if (expr.kind === "cron" && surelyFiresAfter(expr.fields, now)) return out;
  // An at() more than a day from now is on the same side of now in every zone (offsets are within ±14 h).
  if (expr.kind === "at" && wallClockAsUtc(expr.local) > now.getTime() + DAY) return out;
  // Without the window: an end date in the past is the window's business, not the expression's.
  if (nextFireTimes(expr, { timezone: s.timezone, from: now, count: 1 }).length > 0) return out;
  const path = ["schedule", "expression"];
  if (expr.kind === "at") {
    out.warnings.push({
      path,
      message: `${expr.aws} is in the past (${s.timezone}); EventBridge Scheduler accepts it and never fires it`,
    });
  } else {
    const last = expr.fields.years[expr.fields.years.length - 1];
    const why = last !== undefined && last <= now.getUTCFullYear() ? ` (its last year is ${last})` : "";
    out.errors.push({ path, message: `${expr.aws} never fires after ${utc(now)}${why}` });
  }
  return out;
}

/**
 * Without computing a fire time (in a zone, the first check of a thousand specs cost half a second): some
 * year after now's has at least three days the cron selects. A daylight-saving gap removes local times on at
 * most two days of a year, so one of the three has every time the cron names. Other crons are computed.
 */
function surelyFiresAfter(fields: CronFields, now: Date): boolean {
  for (const year of fields.years) {
    if (year <= now.getUTCFullYear()) continue;
    let days = 0;
    for (const month of fields.months) {
      days += daysMatching(fields.days, year, month).length;
      if (days >= 3) return true;
    }
  }
  return false;
}
