/**
 * Schedule expressions as a job spec may write them, turned into what EventBridge Scheduler's
 * CreateSchedule takes as `ScheduleExpression` (string, 1..256 chars; botocore model):
 *   `cron(6 fields)` | `rate(value unit)` | `at(yyyy-mm-ddThh:mm:ss)`
 * plus shorthands translated to those: @hourly @daily @weekly @monthly @yearly/@annually, @every Nm|Nh|Nd.
 * Rules: https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html (all three types),
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rate-expressions.html (rate limitations),
 * cron details in ./cron.ts.
 */
import { CronFieldError, type CronFields, daysInMonth, parseCronFields } from "./cron.ts";
import type { LocalDateTime } from "./zone.ts";

export type RateUnit = "minute" | "hour" | "day";

export type ScheduleExpression =
  | { kind: "cron"; aws: string; fields: CronFields }
  | { kind: "rate"; aws: string; value: number; unit: RateUnit; intervalMs: number }
  | { kind: "at"; aws: string; local: LocalDateTime };

export type ParseResult = { ok: true; value: ScheduleExpression } | { ok: false; error: string };

const UNIT_MS: Record<RateUnit, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const MAX_AWS_LENGTH = 256;

const SHORTHANDS: Record<string, string> = {
  "@hourly": "cron(0 * * * ? *)",
  "@daily": "cron(0 0 * * ? *)",
  "@weekly": "cron(0 0 ? * SUN *)",
  "@monthly": "cron(0 0 1 * ? *)",
  "@yearly": "cron(0 0 1 1 ? *)",
  "@annually": "cron(0 0 1 1 ? *)",
};
const EVERY_UNITS: Record<string, RateUnit> = { m: "minute", h: "hour", d: "day" };
const SHORTHAND_LIST = "@hourly, @daily, @weekly, @monthly, @yearly, @annually or @every <n>m|<n>h|<n>d";

const fail = (error: string): ParseResult => ({ ok: false, error });

function parseCron(body: string): ParseResult {
  const parts = body.trim().split(/\s+/).filter(Boolean);
  try {
    const fields = parseCronFields(parts);
    const aws = `cron(${parts.join(" ").toUpperCase()})`;
    return { ok: true, value: { kind: "cron", aws, fields } };
  } catch (e) {
    if (e instanceof CronFieldError) return fail(`cron(): ${e.cronField}: ${e.message}`);
    throw e;
  }
}

function rateExpression(value: number, unit: RateUnit): ScheduleExpression {
  const aws = `rate(${value} ${unit}${value === 1 ? "" : "s"})`;
  return { kind: "rate", aws, value, unit, intervalMs: value * UNIT_MS[unit] };
}

function checkRateValue(raw: string, where: string): number | string {
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1) return `${where}: value: expected a positive integer, got '${raw}'`;
  if (!Number.isSafeInteger(value * UNIT_MS.day)) return `${where}: value: ${raw} is too large`;
  return value;
}

function parseRate(body: string): ParseResult {
  const m = /^(\S+)\s+(\S+)$/.exec(body.trim());
  if (!m?.[1] || !m[2])
    return fail(`rate(): expected rate(value unit), e.g. rate(5 minutes), got 'rate(${body})'`);
  const value = checkRateValue(m[1], "rate()");
  if (typeof value === "string") return fail(value);
  const unitText = m[2];
  const singular = unitText.replace(/s$/, "");
  if (!(singular in UNIT_MS)) {
    return fail(`rate(): unit: expected minute(s), hour(s) or day(s), got '${unitText}'`);
  }
  const unit = singular as RateUnit;
  // "If the value is equal to 1, then the unit must be singular. If the value is greater than 1, the
  // unit must be plural. For example, rate(1 hours) and rate(5 hour) aren't valid." (eb-rate-expressions)
  if (value === 1 && unitText !== unit) {
    return fail(
      `rate(): unit: with value 1 the unit must be singular: rate(1 ${unit}), not rate(1 ${unitText})`,
    );
  }
  if (value > 1 && unitText === unit) {
    return fail(
      `rate(): unit: with a value above 1 the unit must be plural: rate(${value} ${unit}s), not rate(${value} ${unit})`,
    );
  }
  return { ok: true, value: rateExpression(value, unit) };
}

const MONTH_NAMES = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const monthName = (m: number): string => MONTH_NAMES[m - 1] ?? String(m);

function parseAt(body: string): ParseResult {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(body.trim());
  if (!m)
    return fail(`at(): expected at(yyyy-mm-ddThh:mm:ss), e.g. at(2026-03-29T03:00:00), got 'at(${body})'`);
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (year < 1) return fail(`at(): year 0000 is not a real year`);
  if (month < 1 || month > 12) return fail(`at(): month ${m[2]} is out of range 01-12`);
  const last = daysInMonth(year, month);
  if (day < 1 || day > last) {
    return fail(
      `at(): ${m[1]}-${m[2]}-${m[3]} is not a real date (${monthName(month)} ${year} has ${last} days)`,
    );
  }
  if (hour > 23) return fail(`at(): hour ${m[4]} is out of range 00-23`);
  if (minute > 59) return fail(`at(): minute ${m[5]} is out of range 00-59`);
  if (second > 59) return fail(`at(): second ${m[6]} is out of range 00-59`);
  const aws = `at(${body.trim()})`;
  return { ok: true, value: { kind: "at", aws, local: { year, month, day, hour, minute, second } } };
}

function parseShorthand(text: string): ParseResult {
  const alias = SHORTHANDS[text];
  if (alias !== undefined) return parseCron(alias.slice("cron(".length, -1));
  if (/^@every(\s|$)/.test(text)) {
    const m = /^@every\s+(\d+)([mhd])$/.exec(text);
    if (!m?.[1] || !m[2]) {
      return fail(`@every: expected '@every <n>m', '@every <n>h' or '@every <n>d' (n ≥ 1), got '${text}'`);
    }
    const value = checkRateValue(m[1], "@every");
    if (typeof value === "string") return fail(value);
    return { ok: true, value: rateExpression(value, EVERY_UNITS[m[2]] ?? "minute") };
  }
  return fail(`unknown shorthand '${text}' (expected ${SHORTHAND_LIST})`);
}

/**
 * Parses and validates one schedule expression. `value.aws` is what to send as CreateSchedule's
 * ScheduleExpression: shorthands translated, white space normalised, cron names upper-cased.
 */
export function parseScheduleExpression(input: string): ParseResult {
  if (typeof input !== "string") return fail(`expected a string, got ${typeof input}`);
  const text = input.trim();
  if (text === "") return fail("schedule expression is empty");
  let result: ParseResult;
  if (text.startsWith("@")) {
    result = parseShorthand(text);
  } else {
    const m = /^(cron|rate|at)\s*\(([\s\S]*)\)$/.exec(text);
    if (!m?.[1] || m[2] === undefined) {
      return fail(
        `expected cron(minutes hours day-of-month month day-of-week year), rate(value unit), ` +
          `at(yyyy-mm-ddThh:mm:ss) or ${SHORTHAND_LIST}; got '${text}'`,
      );
    }
    result = m[1] === "cron" ? parseCron(m[2]) : m[1] === "rate" ? parseRate(m[2]) : parseAt(m[2]);
  }
  if (result.ok && result.value.aws.length > MAX_AWS_LENGTH) {
    return fail(
      `expression is ${result.value.aws.length} characters long; AWS allows at most ${MAX_AWS_LENGTH}`,
    );
  }
  return result;
}
