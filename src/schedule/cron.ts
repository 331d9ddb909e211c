/**
 * The cron dialect of EventBridge Scheduler (the same as EventBridge rules, a Quartz derivative):
 * `minutes hours day-of-month month day-of-week year`.
 *
 * Field table and wildcards — "Cron expressions reference",
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html, which the
 * Scheduler guide links for cron syntax
 * (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#cron-based):
 *   minutes 0-59 `, - * /` | hours 0-23 `, - * /` | day-of-month 1-31 `, - * ? / L W`
 *   month 1-12 or JAN-DEC `, - * /` | day-of-week 1-7 or SUN-SAT `, - * ? L #` | year 1970-2199 `, - * /`
 * - "You can't specify the Day-of-month and Day-of-week fields in the same cron expression. If you
 *   specify a value or a * (asterisk) in one of the fields, you must use a ? (question mark) in the other."
 * - `#`: "3#2" is the second Tuesday; only one `#` expression per field ("3#1,6#3" is invalid).
 * - `W`: "3W" is the weekday closest to the 3rd of the month.
 * - `L`: last day of the month (day-of-month) or of the week (day-of-week, i.e. Saturday).
 * Quartz forms AWS accepts though the page does not list them: `xL` in day-of-week (last Friday =
 * `6L`) and `LW` in day-of-month (last weekday); names and letters are case-insensitive
 * (grumBit/aws_cron_expression_validator#12 and #18, checked against the EventBridge console).
 */

export type DayRule =
  | { kind: "daysOfMonth"; days: readonly number[] }
  | { kind: "lastDayOfMonth" }
  | { kind: "lastWeekdayOfMonth" }
  | { kind: "nearestWeekday"; day: number }
  | { kind: "daysOfWeek"; days: readonly number[] } // 1 = SUN … 7 = SAT
  | { kind: "lastDayOfWeekInMonth"; dayOfWeek: number }
  | { kind: "nthDayOfWeekInMonth"; dayOfWeek: number; nth: number };

export interface CronFields {
  minutes: readonly number[];
  hours: readonly number[];
  days: DayRule;
  months: readonly number[];
  years: readonly number[];
}

export const CRON_YEAR_MIN = 1970;
export const CRON_YEAR_MAX = 2199;

const MONTH_NAMES = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAY_NAMES = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
  steps: boolean;
}

const MINUTES: FieldSpec = { name: "minutes", min: 0, max: 59, steps: true };
const HOURS: FieldSpec = { name: "hours", min: 0, max: 23, steps: true };
const DAY_OF_MONTH: FieldSpec = { name: "day-of-month", min: 1, max: 31, steps: true };
const MONTH: FieldSpec = { name: "month", min: 1, max: 12, names: MONTH_NAMES, steps: true };
const DAY_OF_WEEK: FieldSpec = { name: "day-of-week", min: 1, max: 7, names: DAY_NAMES, steps: false };
const YEAR: FieldSpec = { name: "year", min: CRON_YEAR_MIN, max: CRON_YEAR_MAX, steps: true };

/** A cron problem, located in one field; turned into `cron(): <field>: <message>` by the caller. */
export class CronFieldError extends Error {
  readonly cronField: string;
  constructor(field: string, message: string) {
    super(message);
    this.cronField = field;
  }
}

function expected(spec: FieldSpec): string {
  const names = spec.names ? ` or ${spec.names[0]}-${spec.names[spec.names.length - 1]}` : "";
  return `${spec.min}-${spec.max}${names}`;
}

function parseValue(raw: string, spec: FieldSpec): number {
  if (/^\d+$/.test(raw)) {
    const n = Number(raw);
    if (n < spec.min || n > spec.max) {
      throw new CronFieldError(spec.name, `${raw} is out of range ${spec.min}-${spec.max}`);
    }
    return n;
  }
  const i = spec.names?.indexOf(raw.toUpperCase()) ?? -1;
  if (i >= 0) return spec.min + i;
  throw new CronFieldError(spec.name, `'${raw}' is not a valid value (expected ${expected(spec)})`);
}

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let v = from; v <= to; v += step) out.push(v);
  return out;
}

/**
 * Parsed lists by field and text. A jobs folder repeats the same few fields ("*", "0", "?") across its
 * expressions, and `*` in the year field alone is 230 values: parsing each once per process took a fifth
 * of validating a thousand specs. The arrays are frozen, as they are shared.
 */
const parsedLists = new Map<string, readonly number[]>();

/** `*`, `a`, `a-b`, with an optional `/step` on each, comma-separated. */
function parseList(text: string, spec: FieldSpec): number[] {
  const key = `${spec.name}\u0000${text}`;
  let values = parsedLists.get(key);
  if (!values) {
    values = Object.freeze(parseListUncached(text, spec));
    if (parsedLists.size < 10_000) parsedLists.set(key, values);
  }
  return values as number[];
}

function parseListUncached(text: string, spec: FieldSpec): number[] {
  const values = new Set<number>();
  for (const item of text.split(",")) {
    if (item === "") throw new CronFieldError(spec.name, `empty item in list '${text}'`);
    const [base = "", step, ...extra] = item.split("/");
    if (extra.length > 0) throw new CronFieldError(spec.name, `'${item}' has more than one '/'`);
    let increment = 1;
    if (step !== undefined) {
      if (!spec.steps) throw new CronFieldError(spec.name, `'/' is not allowed in ${spec.name} ('${item}')`);
      if (!/^\d+$/.test(step) || Number(step) < 1) {
        throw new CronFieldError(spec.name, `step in '${item}' must be a positive integer`);
      }
      increment = Number(step);
    }
    let from: number;
    let to: number;
    if (base === "*") {
      from = spec.min;
      to = spec.max;
    } else {
      const bounds = base.split("-");
      if (bounds.length > 2 || bounds.some((b) => b === "")) {
        throw new CronFieldError(spec.name, `'${item}' is not a value, a range a-b or a step a/n`);
      }
      from = parseValue(bounds[0] ?? "", spec);
      // "a/n" runs from a to the end of the field, as in Quartz ("1/10" = minutes 1, 11, 21, …).
      to = bounds[1] !== undefined ? parseValue(bounds[1], spec) : step !== undefined ? spec.max : from;
      if (from > to) {
        throw new CronFieldError(spec.name, `range '${base}' goes backwards (${from} > ${to})`);
      }
    }
    for (const v of range(from, to, increment)) values.add(v);
  }
  return [...values].sort((a, b) => a - b);
}

function noQuestionMark(text: string, spec: FieldSpec): void {
  if (text.includes("?")) {
    throw new CronFieldError(spec.name, `'?' is only allowed in day-of-month and day-of-week`);
  }
}

function parsePlain(text: string, spec: FieldSpec): number[] {
  noQuestionMark(text, spec);
  // Month names contain L (JUL); they are checked as values instead.
  if (/[LW#]/i.test(text) && spec !== MONTH) {
    const c = /[LW#]/i.exec(text)?.[0];
    throw new CronFieldError(spec.name, `'${c}' is not allowed in ${spec.name}`);
  }
  return parseList(text, spec);
}

function parseDayOfMonth(text: string): DayRule | undefined {
  const upper = text.toUpperCase();
  if (upper === "?") return undefined;
  if (upper === "L") return { kind: "lastDayOfMonth" };
  if (upper === "LW") return { kind: "lastWeekdayOfMonth" };
  const w = /^(\d+)W$/.exec(upper);
  if (w?.[1] !== undefined) return { kind: "nearestWeekday", day: parseValue(w[1], DAY_OF_MONTH) };
  if (/[LW]/.test(upper)) {
    throw new CronFieldError(
      DAY_OF_MONTH.name,
      `'${text}': 'L', 'LW' and 'nW' stand alone (no lists, ranges, steps or offsets)`,
    );
  }
  if (text.includes("#")) throw new CronFieldError(DAY_OF_MONTH.name, `'#' is only allowed in day-of-week`);
  noQuestionMark(text, DAY_OF_MONTH);
  return { kind: "daysOfMonth", days: parseList(text, DAY_OF_MONTH) };
}

function parseDayOfWeek(text: string): DayRule | undefined {
  const upper = text.toUpperCase();
  if (upper === "?") return undefined;
  // Alone, L is the last day of the week: Saturday.
  if (upper === "L") return { kind: "daysOfWeek", days: [7] };
  const last = /^([A-Z]+|\d+)L$/.exec(upper);
  if (last?.[1] !== undefined) {
    return { kind: "lastDayOfWeekInMonth", dayOfWeek: parseValue(last[1], DAY_OF_WEEK) };
  }
  const nth = /^([A-Z]+|\d+)#(\d+)$/.exec(upper);
  if (nth?.[1] !== undefined && nth[2] !== undefined) {
    const n = Number(nth[2]);
    if (n < 1 || n > 5) throw new CronFieldError(DAY_OF_WEEK.name, `'${text}': the week number must be 1-5`);
    return { kind: "nthDayOfWeekInMonth", dayOfWeek: parseValue(nth[1], DAY_OF_WEEK), nth: n };
  }
  if (/[L#]/.test(upper)) {
    throw new CronFieldError(
      DAY_OF_WEEK.name,
      `'${text}': 'L', 'xL' and 'x#n' stand alone (only one such expression, no lists or ranges)`,
    );
  }
  // WED holds a W that is not the wildcard.
  if (upper.replace(/WED/g, "").includes("W")) {
    throw new CronFieldError(DAY_OF_WEEK.name, `'W' is only allowed in day-of-month`);
  }
  noQuestionMark(text, DAY_OF_WEEK);
  return { kind: "daysOfWeek", days: parseList(text, DAY_OF_WEEK) };
}

/**
 * Parses the six fields (already split on white space; names and letters in any case). Throws
 * CronFieldError naming the field at fault.
 */
export function parseCronFields(parts: readonly string[]): CronFields {
  if (parts.length !== 6) {
    throw new CronFieldError(
      "fields",
      `expected 6 fields (minutes hours day-of-month month day-of-week year), got ${parts.length}`,
    );
  }
  const [min = "", hour = "", dom = "", month = "", dow = "", year = ""] = parts;
  const minutes = parsePlain(min, MINUTES);
  const hours = parsePlain(hour, HOURS);
  const byMonthDay = parseDayOfMonth(dom);
  const months = parsePlain(month, MONTH);
  const byWeekDay = parseDayOfWeek(dow);
  const years = parsePlain(year, YEAR);
  if (byMonthDay && byWeekDay) {
    throw new CronFieldError(
      "day-of-month/day-of-week",
      `both are set ('${dom}' and '${dow}'); use '?' in one of them`,
    );
  }
  const days = byMonthDay ?? byWeekDay;
  if (!days) {
    throw new CronFieldError("day-of-month/day-of-week", `both are '?'; exactly one of them must be '?'`);
  }
  const fields = { minutes, hours, days, months, years };
  if (!firesOnSomeDay(fields)) {
    // Every field is valid alone, yet no date has them all (30 February): AWS would accept it and never fire.
    const [field, text] = byMonthDay ? [DAY_OF_MONTH.name, dom] : [DAY_OF_WEEK.name, dow];
    const yearText = year === "*" ? "" : ` of year '${year}'`;
    throw new CronFieldError(field, `'${text}' never falls in month '${month}'${yearText}: it never fires`);
  }
  return fields;
}

/** Whether some year and month the fields allow has a day the day rule selects. Stops at the first. */
function firesOnSomeDay(fields: Omit<CronFields, "minutes" | "hours">): boolean {
  for (const year of fields.years)
    for (const month of fields.months) if (daysMatching(fields.days, year, month).length > 0) return true;
  return false;
}

export function daysInMonth(year: number, month: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month, 0);
  return d.getUTCDate();
}

/** 1 = Sunday … 7 = Saturday, as in the cron day-of-week field. */
export function dayOfWeek(year: number, month: number, day: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  return d.getUTCDay() + 1;
}

/** The days of `year`-`month` the rule selects, ascending. */
export function daysMatching(rule: DayRule, year: number, month: number): number[] {
  const last = daysInMonth(year, month);
  switch (rule.kind) {
    case "daysOfMonth":
      return rule.days.filter((d) => d <= last);
    case "lastDayOfMonth":
      return [last];
    case "lastWeekdayOfMonth": {
      const wd = dayOfWeek(year, month, last);
      return [wd === 7 ? last - 1 : wd === 1 ? last - 2 : last];
    }
    case "nearestWeekday": {
      // Quartz semantics: never crosses into another month; a day the month lacks selects nothing.
      const d = rule.day;
      if (d > last) return [];
      const wd = dayOfWeek(year, month, d);
      if (wd === 7) return [d === 1 ? 3 : d - 1];
      if (wd === 1) return [d === last ? d - 2 : d + 1];
      return [d];
    }
    case "daysOfWeek": {
      const first = dayOfWeek(year, month, 1);
      const out: number[] = [];
      for (let d = 1; d <= last; d++) if (rule.days.includes(((first - 1 + d - 1) % 7) + 1)) out.push(d);
      return out;
    }
    case "lastDayOfWeekInMonth": {
      const wd = dayOfWeek(year, month, last);
      return [last - ((wd - rule.dayOfWeek + 7) % 7)];
    }
    case "nthDayOfWeekInMonth": {
      const first = 1 + ((rule.dayOfWeek - dayOfWeek(year, month, 1) + 7) % 7);
      const d = first + 7 * (rule.nth - 1);
      return d <= last ? [d] : [];
    }
  }
}
