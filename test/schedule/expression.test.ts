import { describe, expect, it } from "vitest";
import { parseScheduleExpression, type ScheduleExpression } from "../../src/schedule/index.ts";

// Where each rule comes from.
const CRON =
  "eb-cron-expressions (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html)";
const RATE =
  "eb-rate-expressions (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rate-expressions.html)";
const TYPES = "schedule-types (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html)";
const API = "CreateSchedule ScheduleExpression, 1..256 chars (shared/aws-models/scheduler.json)";
const QUARTZ = "accepted by AWS though undocumented (grumBit/aws_cron_expression_validator issues 12, 18)";
const SPEC = "SPEC §1 shorthands";

interface Row {
  input: string;
  /** The AWS expression sent to CreateSchedule, for valid input. */
  aws?: string;
  /** A fragment of the error, for invalid input. */
  error?: string;
  source: string;
}

const valid: Row[] = [
  // cron: six fields, ? in exactly one of the day fields
  { input: "cron(0 10 * * ? *)", aws: "cron(0 10 * * ? *)", source: CRON },
  { input: "cron(15 12 * * ? *)", aws: "cron(15 12 * * ? *)", source: CRON },
  { input: "cron(0 18 ? * MON-FRI *)", aws: "cron(0 18 ? * MON-FRI *)", source: CRON },
  { input: "cron(0 8 1 * ? *)", aws: "cron(0 8 1 * ? *)", source: CRON },
  { input: "cron(0/15 * * * ? *)", aws: "cron(0/15 * * * ? *)", source: CRON },
  { input: "cron(0/10 * ? * MON-FRI *)", aws: "cron(0/10 * ? * MON-FRI *)", source: CRON },
  { input: "cron(0/5 8-17 ? * MON-FRI *)", aws: "cron(0/5 8-17 ? * MON-FRI *)", source: CRON },
  { input: "cron(0 9 ? * 2#1 *)", aws: "cron(0 9 ? * 2#1 *)", source: CRON },
  // wildcards , - * / and their combinations
  { input: "cron(1/10 * * * ? *)", aws: "cron(1/10 * * * ? *)", source: CRON },
  { input: "cron(*/5 * * * ? *)", aws: "cron(*/5 * * * ? *)", source: CRON },
  { input: "cron(10-50/10 * * * ? *)", aws: "cron(10-50/10 * * * ? *)", source: CRON },
  { input: "cron(0,30 6,18 * * ? *)", aws: "cron(0,30 6,18 * * ? *)", source: CRON },
  { input: "cron(0 0 1-15 JAN,FEB,MAR ? *)", aws: "cron(0 0 1-15 JAN,FEB,MAR ? *)", source: CRON },
  { input: "cron(0 0 1 1-12/3 ? *)", aws: "cron(0 0 1 1-12/3 ? *)", source: CRON },
  { input: "cron(0 0 ? * 1,7 *)", aws: "cron(0 0 ? * 1,7 *)", source: CRON },
  { input: "cron(0 0 ? * SUN-WED,sat *)", aws: "cron(0 0 ? * SUN-WED,SAT *)", source: CRON },
  // year field 1970-2199 with its wildcards
  { input: "cron(0 0 1 1 ? 2026)", aws: "cron(0 0 1 1 ? 2026)", source: CRON },
  { input: "cron(0 0 1 1 ? 2026-2030,2040)", aws: "cron(0 0 1 1 ? 2026-2030,2040)", source: CRON },
  { input: "cron(0 0 1 1 ? 2026/4)", aws: "cron(0 0 1 1 ? 2026/4)", source: CRON },
  { input: "cron(59 23 31 12 ? 2199)", aws: "cron(59 23 31 12 ? 2199)", source: CRON },
  // L, W, #
  { input: "cron(0 0 L * ? *)", aws: "cron(0 0 L * ? *)", source: CRON },
  { input: "cron(0 0 ? * L *)", aws: "cron(0 0 ? * L *)", source: CRON },
  { input: "cron(0 0 3W * ? *)", aws: "cron(0 0 3W * ? *)", source: CRON },
  { input: "cron(0 12 ? * 3#2 *)", aws: "cron(0 12 ? * 3#2 *)", source: CRON },
  { input: "cron(0 12 ? * TUE#2 *)", aws: "cron(0 12 ? * TUE#2 *)", source: QUARTZ },
  { input: "cron(15 10 ? * 6L *)", aws: "cron(15 10 ? * 6L *)", source: QUARTZ },
  { input: "cron(0 21 LW * ? *)", aws: "cron(0 21 LW * ? *)", source: QUARTZ },
  // names and letters are case-insensitive; the AWS form is upper-cased and white space normalised
  { input: "cron(0 8 ? jan,Feb mon-fri *)", aws: "cron(0 8 ? JAN,FEB MON-FRI *)", source: QUARTZ },
  { input: "cron(0 0 lw * ? *)", aws: "cron(0 0 LW * ? *)", source: QUARTZ },
  { input: "  cron( 0   3  *  * ?  * )  ", aws: "cron(0 3 * * ? *)", source: CRON },
  // rate: singular exactly when the value is 1
  { input: "rate(1 minute)", aws: "rate(1 minute)", source: RATE },
  { input: "rate(5 minutes)", aws: "rate(5 minutes)", source: RATE },
  { input: "rate(1 hour)", aws: "rate(1 hour)", source: RATE },
  { input: "rate(12 hours)", aws: "rate(12 hours)", source: RATE },
  { input: "rate(1 day)", aws: "rate(1 day)", source: RATE },
  { input: "rate(7 days)", aws: "rate(7 days)", source: RATE },
  // at: local time in the schedule's zone
  { input: "at(2026-03-29T03:00:00)", aws: "at(2026-03-29T03:00:00)", source: TYPES },
  { input: "at(2028-02-29T23:59:59)", aws: "at(2028-02-29T23:59:59)", source: TYPES },
  // days that exist only in some months or years: fine as long as one exists
  { input: "cron(0 0 29 2 ? *)", aws: "cron(0 0 29 2 ? *)", source: CRON },
  { input: "cron(0 0 31 1-3 ? *)", aws: "cron(0 0 31 1-3 ? *)", source: CRON },
  { input: "cron(0 0 ? 2 THU#5 2024-2026)", aws: "cron(0 0 ? 2 THU#5 2024-2026)", source: CRON },
  // shorthands
  { input: "@hourly", aws: "cron(0 * * * ? *)", source: SPEC },
  { input: "@daily", aws: "cron(0 0 * * ? *)", source: SPEC },
  { input: "@weekly", aws: "cron(0 0 ? * SUN *)", source: SPEC },
  { input: "@monthly", aws: "cron(0 0 1 * ? *)", source: SPEC },
  { input: "@yearly", aws: "cron(0 0 1 1 ? *)", source: SPEC },
  { input: "@annually", aws: "cron(0 0 1 1 ? *)", source: SPEC },
  { input: "@every 10m", aws: "rate(10 minutes)", source: SPEC },
  { input: "@every 1m", aws: "rate(1 minute)", source: SPEC },
  { input: "@every 1h", aws: "rate(1 hour)", source: SPEC },
  { input: "@every 6h", aws: "rate(6 hours)", source: SPEC },
  { input: "@every 2d", aws: "rate(2 days)", source: SPEC },
];

const invalid: Row[] = [
  // field count
  { input: "cron(0 10 * * ?)", error: "cron(): fields: expected 6 fields", source: CRON },
  { input: "cron(0 0 10 * * ? *)", error: "got 7", source: CRON },
  { input: "cron()", error: "got 0", source: CRON },
  // both day fields set, or both ?
  { input: "cron(0 10 * * MON *)", error: "day-of-month/day-of-week: both are set", source: CRON },
  { input: "cron(0 10 * * * *)", error: "day-of-month/day-of-week: both are set", source: CRON },
  { input: "cron(0 10 15 * 2 *)", error: "use '?' in one of them", source: CRON },
  { input: "cron(0 10 ? * ? *)", error: "day-of-month/day-of-week: both are '?'", source: CRON },
  // ranges of each field
  { input: "cron(60 * * * ? *)", error: "cron(): minutes: 60 is out of range 0-59", source: CRON },
  { input: "cron(0 24 * * ? *)", error: "cron(): hours: 24 is out of range 0-23", source: CRON },
  { input: "cron(0 0 32 * ? *)", error: "cron(): day-of-month: 32 is out of range 1-31", source: CRON },
  { input: "cron(0 0 0 * ? *)", error: "cron(): day-of-month: 0 is out of range 1-31", source: CRON },
  { input: "cron(0 0 1 13 ? *)", error: "cron(): month: 13 is out of range 1-12", source: CRON },
  { input: "cron(0 0 ? * 8 *)", error: "cron(): day-of-week: 8 is out of range 1-7", source: CRON },
  { input: "cron(0 0 ? * 0 *)", error: "cron(): day-of-week: 0 is out of range 1-7", source: CRON },
  { input: "cron(0 0 1 1 ? 1969)", error: "cron(): year: 1969 is out of range 1970-2199", source: CRON },
  { input: "cron(0 0 1 1 ? 2200)", error: "cron(): year: 2200 is out of range 1970-2199", source: CRON },
  {
    input: "cron(0 0 1 FOO ? *)",
    error: "cron(): month: 'FOO' is not a valid value (expected 1-12 or JAN-DEC)",
    source: CRON,
  },
  {
    input: "cron(0 0 ? * SUNDAY *)",
    error: "cron(): day-of-week: 'SUNDAY' is not a valid value",
    source: CRON,
  },
  // wildcards outside their fields
  {
    input: "cron(? 0 * * ? *)",
    error: "cron(): minutes: '?' is only allowed in day-of-month and day-of-week",
    source: CRON,
  },
  { input: "cron(L 0 * * ? *)", error: "cron(): minutes: 'L' is not allowed in minutes", source: CRON },
  {
    input: "cron(0 0 ? * 2/2 *)",
    error: "cron(): day-of-week: '/' is not allowed in day-of-week",
    source: CRON,
  },
  {
    input: "cron(0 0 3#2 * ? *)",
    error: "cron(): day-of-month: '#' is only allowed in day-of-week",
    source: CRON,
  },
  {
    input: "cron(0 0 ? * 3W *)",
    error: "cron(): day-of-week: 'W' is only allowed in day-of-month",
    source: CRON,
  },
  { input: "cron(0 0 1 1 ? L)", error: "cron(): year: 'L' is not allowed in year", source: CRON },
  // L, W, # stand alone; "3#1,6#3" is the doc's own invalid example
  { input: "cron(0 0 ? * 3#1,6#3 *)", error: "cron(): day-of-week: '3#1,6#3'", source: CRON },
  { input: "cron(0 0 ? * 3#6 *)", error: "the week number must be 1-5", source: CRON },
  { input: "cron(0 0 ? * 9#2 *)", error: "cron(): day-of-week: 9 is out of range 1-7", source: CRON },
  { input: "cron(0 0 1-5W * ? *)", error: "cron(): day-of-month: '1-5W'", source: CRON },
  { input: "cron(0 0 32W * ? *)", error: "cron(): day-of-month: 32 is out of range 1-31", source: CRON },
  { input: "cron(0 0 L,15 * ? *)", error: "cron(): day-of-month: 'L,15'", source: CRON },
  { input: "cron(0 0 ? * 8L *)", error: "cron(): day-of-week: 8 is out of range 1-7", source: QUARTZ },
  // malformed lists, ranges, steps
  {
    input: "cron(0/0 * * * ? *)",
    error: "cron(): minutes: step in '0/0' must be a positive integer",
    source: CRON,
  },
  { input: "cron(*/x * * * ? *)", error: "step in '*/x' must be a positive integer", source: CRON },
  { input: "cron(1/2/3 * * * ? *)", error: "more than one '/'", source: CRON },
  { input: "cron(0,,5 * * * ? *)", error: "cron(): minutes: empty item in list", source: CRON },
  { input: "cron(1-2-3 * * * ? *)", error: "cron(): minutes: '1-2-3' is not a value", source: CRON },
  { input: "cron(50-10 * * * ? *)", error: "cron(): minutes: range '50-10' goes backwards", source: CRON },
  { input: "cron(-5 * * * ? *)", error: "cron(): minutes:", source: CRON },
  {
    input: "cron(a b c d e f)",
    error: "cron(): minutes: 'a' is not a valid value (expected 0-59)",
    source: CRON,
  },
  // rate: "rate(1 hours) and rate(5 hour) aren't valid"
  { input: "rate(1 hours)", error: "rate(): unit: with value 1 the unit must be singular", source: RATE },
  {
    input: "rate(5 hour)",
    error: "rate(): unit: with a value above 1 the unit must be plural",
    source: RATE,
  },
  { input: "rate(1 minutes)", error: "must be singular", source: RATE },
  { input: "rate(2 day)", error: "must be plural", source: RATE },
  { input: "rate(0 minutes)", error: "rate(): value: expected a positive integer, got '0'", source: RATE },
  { input: "rate(-5 minutes)", error: "rate(): value: expected a positive integer", source: RATE },
  { input: "rate(1.5 hours)", error: "rate(): value: expected a positive integer", source: RATE },
  {
    input: "rate(5 weeks)",
    error: "rate(): unit: expected minute(s), hour(s) or day(s), got 'weeks'",
    source: RATE,
  },
  { input: "rate(5 seconds)", error: "rate(): unit:", source: RATE },
  { input: "rate(5)", error: "rate(): expected rate(value unit)", source: RATE },
  { input: "rate(5 minutes please)", error: "rate(): expected rate(value unit)", source: RATE },
  // at: the date must exist
  {
    input: "at(2026-02-29T10:00:00)",
    error: "at(): 2026-02-29 is not a real date (February 2026 has 28 days)",
    source: TYPES,
  },
  { input: "at(2026-04-31T10:00:00)", error: "April 2026 has 30 days", source: TYPES },
  { input: "at(2026-13-01T10:00:00)", error: "at(): month 13 is out of range 01-12", source: TYPES },
  { input: "at(2026-01-01T24:00:00)", error: "at(): hour 24 is out of range 00-23", source: TYPES },
  { input: "at(2026-01-01T10:60:00)", error: "at(): minute 60", source: TYPES },
  { input: "at(2026-01-01T10:00:60)", error: "at(): second 60", source: TYPES },
  { input: "at(2026-01-01 10:00:00)", error: "at(): expected at(yyyy-mm-ddThh:mm:ss)", source: TYPES },
  { input: "at(2026-01-01T10:00:00Z)", error: "at(): expected at(yyyy-mm-ddThh:mm:ss)", source: TYPES },
  { input: "at(2026-1-1T10:00:00)", error: "at(): expected at(yyyy-mm-ddThh:mm:ss)", source: TYPES },
  // shorthands: only the listed ones
  { input: "@reboot", error: "unknown shorthand '@reboot'", source: SPEC },
  { input: "@midnight", error: "unknown shorthand '@midnight'", source: SPEC },
  { input: "@Daily", error: "unknown shorthand '@Daily'", source: SPEC },
  { input: "@every 10s", error: "@every: expected '@every <n>m'", source: SPEC },
  // dates that never come (issue 20 item 11): every field valid, no day ever matches them all
  {
    input: "cron(0 0 30 2 ? *)",
    error: "cron(): day-of-month: '30' never falls in month '2': it never fires",
    source: CRON,
  },
  {
    input: "cron(0 0 31 4,6,9,11 ? *)",
    error: "cron(): day-of-month: '31' never falls in month '4,6,9,11'",
    source: CRON,
  },
  {
    input: "cron(0 0 29 FEB ? 2027)",
    error: "cron(): day-of-month: '29' never falls in month 'FEB' of year '2027'",
    source: CRON,
  },
  {
    input: "cron(0 0 ? 2 THU#5 2026-2027)",
    error: "cron(): day-of-week: 'THU#5' never falls in month '2' of year '2026-2027'",
    source: CRON,
  },
  {
    input: "cron(0 0 30W 2 ? *)",
    error: "cron(): day-of-month: '30W' never falls in month '2'",
    source: CRON,
  },
  { input: "@every 0m", error: "@every: value: expected a positive integer, got '0'", source: SPEC },
  { input: "@every 1h30m", error: "@every: expected", source: SPEC },
  { input: "@every", error: "@every: expected", source: SPEC },
  // garbage
  { input: "", error: "schedule expression is empty", source: API },
  { input: "   ", error: "schedule expression is empty", source: API },
  {
    input: "0 3 * * *",
    error: "expected cron(minutes hours day-of-month month day-of-week year)",
    source: TYPES,
  },
  { input: "every day", error: "got 'every day'", source: TYPES },
  { input: "CRON(0 10 * * ? *)", error: "expected cron(", source: TYPES },
  { input: "cron(0 10 * * ? *", error: "expected cron(", source: TYPES },
  { input: `cron(${"0,".repeat(130)}0 10 * * ? *)`, error: "AWS allows at most 256", source: API },
];

describe("parseScheduleExpression: valid expressions", () => {
  it.each(valid)("$input → $aws   [$source]", ({ input, aws }) => {
    const r = parseScheduleExpression(input);
    expect(r).toMatchObject({ ok: true, value: { aws } });
  });
});

describe("parseScheduleExpression: invalid expressions", () => {
  it.each(invalid)("$input is refused   [$source]", ({ input, error }) => {
    const r = parseScheduleExpression(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(error);
  });
});

function parsed(input: string): ScheduleExpression {
  const r = parseScheduleExpression(input);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

function cronFields(input: string) {
  const e = parsed(input);
  if (e.kind !== "cron") throw new Error(`not cron: ${input}`);
  return e.fields;
}

describe("what the fields mean", () => {
  it("expands steps from their start to the end of the field, as '1/10' = 1, 11, 21 … in the docs", () => {
    expect(cronFields("cron(1/10 * * * ? *)").minutes).toEqual([1, 11, 21, 31, 41, 51]);
    expect(cronFields("cron(*/20 * * * ? *)").minutes).toEqual([0, 20, 40]);
    expect(cronFields("cron(10-50/15 * * * ? *)").minutes).toEqual([10, 25, 40]);
    expect(cronFields("cron(0 20/2 * * ? *)").hours).toEqual([20, 22]);
    expect(cronFields("cron(0 0 1 1 ? 2190/5)").years).toEqual([2190, 2195]);
  });

  it("merges lists into sorted distinct values", () => {
    expect(cronFields("cron(30,0,15,0 * * * ? *)").minutes).toEqual([0, 15, 30]);
    expect(cronFields("cron(0 0 1 DEC,jan,6-7 ? *)").months).toEqual([1, 6, 7, 12]);
  });

  it("numbers days of the week 1 = SUN … 7 = SAT, and L alone means Saturday", () => {
    expect(cronFields("cron(0 0 ? * SUN,SAT *)").days).toEqual({ kind: "daysOfWeek", days: [1, 7] });
    expect(cronFields("cron(0 0 ? * MON-FRI *)").days).toEqual({ kind: "daysOfWeek", days: [2, 3, 4, 5, 6] });
    expect(cronFields("cron(0 0 ? * L *)").days).toEqual({ kind: "daysOfWeek", days: [7] });
    expect(cronFields("cron(0 0 ? * FRIL *)").days).toEqual({ kind: "lastDayOfWeekInMonth", dayOfWeek: 6 });
    expect(cronFields("cron(0 0 ? * 3#2 *)").days).toEqual({
      kind: "nthDayOfWeekInMonth",
      dayOfWeek: 3,
      nth: 2,
    });
  });

  it("reads the day-of-month specials", () => {
    expect(cronFields("cron(0 0 L * ? *)").days).toEqual({ kind: "lastDayOfMonth" });
    expect(cronFields("cron(0 0 LW * ? *)").days).toEqual({ kind: "lastWeekdayOfMonth" });
    expect(cronFields("cron(0 0 15W * ? *)").days).toEqual({ kind: "nearestWeekday", day: 15 });
    expect(cronFields("cron(0 0 * * ? *)").days).toEqual({
      kind: "daysOfMonth",
      days: Array.from({ length: 31 }, (_, i) => i + 1),
    });
  });

  it("gives rates their interval and at() its local time", () => {
    expect(parsed("rate(5 minutes)")).toMatchObject({
      kind: "rate",
      value: 5,
      unit: "minute",
      intervalMs: 300_000,
    });
    expect(parsed("@every 2d")).toMatchObject({
      kind: "rate",
      value: 2,
      unit: "day",
      intervalMs: 172_800_000,
    });
    expect(parsed("at(2026-03-29T03:04:05)")).toEqual({
      kind: "at",
      aws: "at(2026-03-29T03:04:05)",
      local: { year: 2026, month: 3, day: 29, hour: 3, minute: 4, second: 5 },
    });
  });
});
