/**
 * Schedules that will never fire again, which depends on when the question is asked: `now` is the caller's
 * (the CLI passes its clock), so this stays pure. Issue 20, item 11.
 * - A recurring schedule with no fire time after now (its cron years are all past, or its only times fall in
 *   a daylight-saving gap) is an error: nothing in it will ever run, which is a mistake rather than a state.
 * - A one-time at() in the past is a warning: EventBridge Scheduler accepts it and never fires it, and a
 *   one-off job that has run is a normal thing to find in a repository; failing the folder for it would turn
 *   a green build red overnight with nothing changed.
 */
import { parseScheduleExpression } from "../schedule/expression.ts";
import { nextFireTimes } from "../schedule/next.ts";
import type { RuleIssue } from "./rules.ts";
import type { JobSpec } from "./schema.ts";

export interface TimeIssues {
  errors: RuleIssue[];
  warnings: RuleIssue[];
}

const utc = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "Z");

export function scheduleTimeIssues(spec: JobSpec, now: Date): TimeIssues {
  const out: TimeIssues = { errors: [], warnings: [] };
  const s = spec.schedule;
  const parsed = s && parseScheduleExpression(s.expression);
  if (!s || !parsed?.ok) return out;
  const expr = parsed.value;
  if (expr.kind === "rate") return out;
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
