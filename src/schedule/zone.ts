/**
 * Wall-clock arithmetic in IANA time zones, on top of `Intl` only (no tz library is installed).
 * An instant's local time comes from `Intl.DateTimeFormat`; a local time's instant is found by
 * trying the offsets in force around it, which also reveals DST gaps (no instant) and overlaps
 * (two instants).
 */
import { ValidationError } from "../errors.ts";

export interface LocalDateTime {
  year: number;
  month: number; // 1-12
  day: number; // 1-31
  hour: number; // 0-23
  minute: number;
  second: number;
}

const DAY_MS = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: timezone,
      calendar: "gregory",
      numberingSystem: "latn",
      hourCycle: "h23",
      era: "short",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timezone, f);
  }
  return f;
}

// IANA names are letters, digits, "_", "+", "-" and "/"; this keeps out what Intl also accepts but
// EventBridge Scheduler's ScheduleExpressionTimezone does not mean (offsets such as "+01:00").
const IANA_NAME = /^[A-Za-z][A-Za-z0-9_+\-/]*$/;

/**
 * An IANA zone name as EventBridge Scheduler takes it (`ScheduleExpressionTimezone`, 1..50 chars).
 * Intl resolves names case-insensitively; a name that differs from its canonical form only by case
 * ("europe/paris") is refused, because AWS matches names exactly. Aliases ("US/Eastern") are kept.
 */
export function isValidTimeZone(timezone: string): boolean {
  if (typeof timezone !== "string") return false;
  // Building an Intl formatter costs a quarter of a millisecond; a jobs folder names few zones many times.
  let known = zoneValidity.get(timezone);
  if (known === undefined) {
    known = checkTimeZone(timezone);
    if (zoneValidity.size < 1000) zoneValidity.set(timezone, known);
  }
  return known;
}

const zoneValidity = new Map<string, boolean>();

/**
 * The zones Intl lists as canonical. Building this set takes ~3 ms; the first Intl.DateTimeFormat of a
 * process takes ~23 ms (ICU loads its date formatting data), which `validate` would pay only to check names.
 */
let canonicalZones: ReadonlySet<string> | undefined;

export function checkTimeZone(timezone: string): boolean {
  if (timezone.length === 0 || timezone.length > 50) return false;
  if (!IANA_NAME.test(timezone)) return false;
  // ECMA-402 requires "UTC" everywhere; V8 leaves it out of the list.
  canonicalZones ??= new Set([...Intl.supportedValuesOf("timeZone"), "UTC"]);
  // A listed name is valid: no two IANA names differ only by case. Aliases and wrong case take the slow path.
  if (canonicalZones.has(timezone)) return true;
  return resolvesAsWritten(timezone);
}

/** Valid when Intl resolves it to itself or to another zone (an alias), not to a different-case spelling. */
export function resolvesAsWritten(timezone: string): boolean {
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat("en-US", { timeZone: timezone }).resolvedOptions().timeZone;
  } catch {
    return false;
  }
  return resolved === timezone || resolved.toLowerCase() !== timezone.toLowerCase();
}

export function assertTimeZone(timezone: string, field = "timezone"): void {
  if (!isValidTimeZone(timezone)) {
    throw new ValidationError(
      `${field}: ${JSON.stringify(timezone)} is not an IANA time zone name (e.g. "Europe/Paris", "UTC")`,
      { field },
    );
  }
}

/** The wall-clock time of `instantMs` in `timezone`, to the second. */
export function localTimeOf(instantMs: number, timezone: string): LocalDateTime {
  const parts = formatter(timezone).formatToParts(new Date(instantMs));
  const get = (type: Intl.DateTimeFormatPartTypes): number => {
    const p = parts.find((x) => x.type === type);
    return p ? Number(p.value) : 0;
  };
  const era = parts.find((x) => x.type === "era")?.value;
  const year = era === "BC" ? 1 - get("year") : get("year");
  return {
    year,
    month: get("month"),
    day: get("day"),
    hour: get("hour") % 24,
    minute: get("minute"),
    second: get("second"),
  };
}

/** The local time read as if it were UTC, in ms (works for years below 100, unlike Date.UTC). */
export function wallClockMs(t: LocalDateTime): number {
  const d = new Date(0);
  d.setUTCFullYear(t.year, t.month - 1, t.day);
  d.setUTCHours(t.hour, t.minute, t.second, 0);
  return d.getTime();
}

/** UTC offset of `timezone` at `instantMs`, in ms (local = instant + offset). */
export function offsetAt(instantMs: number, timezone: string): number {
  const whole = Math.floor(instantMs / 1000) * 1000;
  return wallClockMs(localTimeOf(whole, timezone)) - whole;
}

/**
 * Every instant whose wall-clock time in `timezone` is `local`: none in a spring-forward gap, two in
 * a fall-back overlap, one otherwise. Sorted, earliest first.
 */
export function instantsOf(local: LocalDateTime, timezone: string): number[] {
  const wall = wallClockMs(local);
  // A day either side covers every offset that can apply to this wall time (offsets are within ±14h).
  const offsets = new Set([
    offsetAt(wall - DAY_MS, timezone),
    offsetAt(wall, timezone),
    offsetAt(wall + DAY_MS, timezone),
  ]);
  const out: number[] = [];
  for (const o of offsets) {
    const t = wall - o;
    if (offsetAt(t, timezone) === o && !out.includes(t)) out.push(t);
  }
  return out.sort((a, b) => a - b);
}

/**
 * The instant of a local time that may not exist: in a gap, the time is moved later by the gap's
 * length (02:30 in a 02:00→03:00 jump becomes 03:30), as java.time's ZonedDateTime.of does; in an
 * overlap, the earlier instant is taken.
 */
export function instantOfLenient(local: LocalDateTime, timezone: string): number {
  const found = instantsOf(local, timezone);
  if (found[0] !== undefined) return found[0];
  const wall = wallClockMs(local);
  const before = offsetAt(wall - DAY_MS, timezone);
  const after = offsetAt(wall + DAY_MS, timezone);
  return wall - Math.min(before, after);
}

const pad = (n: number, width = 2): string => String(Math.abs(n)).padStart(width, "0");

function formatOffset(offsetMs: number): string {
  const sign = offsetMs < 0 ? "-" : "+";
  const total = Math.abs(Math.round(offsetMs / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return `${sign}${pad(h)}:${pad(m)}${s ? `:${pad(s)}` : ""}`;
}

/**
 * ISO 8601 with the zone's offset at that instant, e.g. `2026-03-29T03:00:00+02:00`; UTC is written
 * `+00:00` (never `Z`) so every line of `ecs-jobs next` has the same shape. Milliseconds appear only
 * when non-zero.
 */
export function formatInZone(date: Date, timezone: string): string {
  assertTimeZone(timezone);
  const ms = date.getTime();
  if (Number.isNaN(ms)) throw new ValidationError("date: invalid date", { field: "date" });
  const whole = Math.floor(ms / 1000) * 1000;
  const l = localTimeOf(whole, timezone);
  const frac = ms - whole;
  const year = l.year < 0 ? `-${pad(l.year, 6)}` : l.year > 9999 ? `+${pad(l.year, 6)}` : pad(l.year, 4);
  return (
    `${year}-${pad(l.month)}-${pad(l.day)}T${pad(l.hour)}:${pad(l.minute)}:${pad(l.second)}` +
    `${frac ? `.${pad(frac, 3)}` : ""}${formatOffset(wallClockMs(l) - whole)}`
  );
}
