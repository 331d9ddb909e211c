/**
 * Instants given on the command line (`next --from`). `new Date(text)` takes nearly anything and rolls over
 * what does not exist (2026-02-30 → 2 March), so the text is read field by field and each is checked. A
 * date-time needs Z or an offset: without one it would mean the machine's zone, which nobody asked for.
 * A bare date is midnight UTC.
 */
import { daysInMonth } from "../schedule/cron.ts";
import { usageError } from "./context.ts";

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/;

const monthName = (year: number, month: number) =>
  new Date(Date.UTC(year, month - 1, 1)).toLocaleString("en-US", { month: "long", timeZone: "UTC" });

/** Why `text` is not an instant, or the instant. */
function read(text: string): Date | string {
  const m = ISO.exec(text);
  if (!m) return "write it with Z or an offset, e.g. 2026-03-28T00:00:00Z";
  const [, y, mo, d, h = "00", mi = "00", s = "00", fraction = "", zone = "Z"] = m;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number) as number[] as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12) return `month ${mo} is out of range 01-12`;
  const last = daysInMonth(year, month);
  if (day < 1 || day > last)
    return `${y}-${mo}-${d} is not a date (${monthName(year, month)} ${year} has ${last} days)`;
  if (hour > 23) return `hour ${h} is out of range 00-23`;
  if (minute > 59) return `minute ${mi} is out of range 00-59`;
  if (second > 59) return `second ${s} is out of range 00-59`;
  let offsetMinutes = 0;
  if (zone !== "Z") {
    const oh = Number(zone.slice(1, 3));
    const om = Number(zone.slice(-2));
    if (oh > 23 || om > 59) return `offset ${zone} is out of range`;
    offsetMinutes = (zone.startsWith("-") ? -1 : 1) * (oh * 60 + om);
  }
  const ms = Math.round(Number(`0${fraction || ".0"}`) * 1000);
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMinutes * 60_000;
  return new Date(utc);
}

/** The instant a flag names; a usage error (exit 2) naming the flag and the value otherwise. */
export function parseInstantFlag(text: string, flag: string): Date {
  const r = read(text.trim());
  if (typeof r === "string") throw usageError(`${flag} expects an ISO 8601 date-time: ${r}, got "${text}"`);
  return r;
}
