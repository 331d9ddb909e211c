import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { nextFireTimes, parseScheduleExpression } from "../../src/schedule/index.ts";

// An independent model of what a generated cron expression means, checked against the parser and
// nextFireTimes through their public API only. Local times are read with our own Intl formatter.

const ZONES = [
  "UTC",
  "Europe/Paris",
  "America/New_York",
  "Asia/Kolkata",
  "Asia/Tokyo",
  "America/St_Johns", // -03:30 / -02:30
  "Australia/Lord_Howe", // DST shifts by 30 minutes
  "Pacific/Chatham", // +12:45 / +13:45
  "America/Sao_Paulo",
];

// Instants near DST changes, where mistakes hide.
const TRANSITIONS = [
  "2026-03-29T01:00:00Z",
  "2026-10-25T01:00:00Z",
  "2026-03-08T07:00:00Z",
  "2026-11-01T06:00:00Z",
  "2026-04-04T15:00:00Z", // Lord Howe
  "2026-10-03T15:30:00Z",
  "2026-04-04T13:45:00Z", // Chatham
].map(Date.parse);

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

interface Field {
  text: string;
  has: (v: number) => boolean;
}

function valueText(v: number, min: number, names: readonly string[] | undefined, useName: boolean): string {
  const name = names?.[v - min];
  return useName && name ? name : String(v);
}

/**
 * One item of a list: a value, a range, or a stepped value/range/star. Values are drawn from
 * min..max; `*` and an open `a/n` reach the field's real bounds, `bounds`.
 */
function itemArb(
  min: number,
  max: number,
  names?: readonly string[],
  steps = true,
  bounds: [number, number] = [min, max],
): fc.Arbitrary<Field> {
  const v = fc.integer({ min, max });
  const named = fc.boolean();
  const single = fc.tuple(v, named).map(([a, n]) => ({
    text: valueText(a, min, names, n),
    has: (x: number) => x === a,
  }));
  const rangeArb = fc.tuple(v, v, named).map(([a, b, n]) => {
    const [lo, hi] = a <= b ? [a, b] : [b, a];
    return {
      text: `${valueText(lo, min, names, n)}-${valueText(hi, min, names, n)}`,
      has: (x: number) => x >= lo && x <= hi,
    };
  });
  if (!steps) return fc.oneof(single, rangeArb);
  const stepped = fc
    .tuple(
      fc.constantFrom("star", "start", "range"),
      v,
      v,
      fc.integer({ min: 1, max: Math.max(1, max - min) }),
    )
    .map(([form, a, b, s]) => {
      const [lo, hi] =
        form === "star" ? bounds : form === "start" ? [a, bounds[1]] : a <= b ? [a, b] : [b, a];
      const head = form === "star" ? "*" : form === "start" ? String(lo) : `${lo}-${hi}`;
      return { text: `${head}/${s}`, has: (x: number) => x >= lo && x <= hi && (x - lo) % s === 0 };
    });
  return fc.oneof(single, rangeArb, stepped);
}

function fieldArb(
  min: number,
  max: number,
  names?: readonly string[],
  steps = true,
  bounds: [number, number] = [min, max],
): fc.Arbitrary<Field> {
  const all = fc.constant({ text: "*", has: () => true });
  const list = fc
    .array(itemArb(min, max, names, steps, bounds), { minLength: 1, maxLength: 3 })
    .map((items) => ({
      text: items.map((i) => i.text).join(","),
      has: (x: number) => items.some((i) => i.has(x)),
    }));
  return fc.oneof({ arbitrary: all, weight: 2 }, { arbitrary: list, weight: 3 });
}

const weekday = (y: number, m: number, d: number): number => new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 1;
const lastDay = (y: number, m: number): number => new Date(Date.UTC(y, m, 0)).getUTCDate();
const isWorkday = (y: number, m: number, d: number): boolean => ![1, 7].includes(weekday(y, m, d));

interface DayField {
  dom: string;
  dow: string;
  has: (y: number, m: number, d: number) => boolean;
}

const domArb: fc.Arbitrary<DayField> = fc.oneof(
  fieldArb(1, 31).map((f) => ({
    dom: f.text,
    dow: "?",
    has: (_y: number, _m: number, d: number) => f.has(d),
  })),
  fc.constant({ dom: "L", dow: "?", has: (y: number, m: number, d: number) => d === lastDay(y, m) }),
  fc.constant({
    dom: "LW",
    dow: "?",
    has: (y: number, m: number, d: number) => {
      if (!isWorkday(y, m, d)) return false;
      for (let e = d + 1; e <= lastDay(y, m); e++) if (isWorkday(y, m, e)) return false;
      return true;
    },
  }),
  fc.integer({ min: 1, max: 31 }).map((n) => ({
    dom: `${n}W`,
    dow: "?",
    has: (y: number, m: number, d: number) => {
      if (n > lastDay(y, m)) return false;
      let best = 0;
      for (let e = 1; e <= lastDay(y, m); e++) {
        if (isWorkday(y, m, e) && (best === 0 || Math.abs(e - n) < Math.abs(best - n))) best = e;
      }
      return d === best;
    },
  })),
);

const dowArb: fc.Arbitrary<DayField> = fc.oneof(
  fieldArb(1, 7, DAYS, false).map((f) => ({
    dom: "?",
    dow: f.text,
    has: (y: number, m: number, d: number) => f.has(weekday(y, m, d)),
  })),
  fc.constant({ dom: "?", dow: "L", has: (y: number, m: number, d: number) => weekday(y, m, d) === 7 }),
  fc.integer({ min: 1, max: 7 }).map((x) => ({
    dom: "?",
    dow: `${x}L`,
    has: (y: number, m: number, d: number) => weekday(y, m, d) === x && d + 7 > lastDay(y, m),
  })),
  fc.tuple(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 5 })).map(([x, n]) => ({
    dom: "?",
    dow: `${DAYS[x - 1]}#${n}`,
    has: (y: number, m: number, d: number) => weekday(y, m, d) === x && Math.ceil(d / 7) === n,
  })),
);

const yearArb: fc.Arbitrary<Field> = fc.oneof(
  { arbitrary: fc.constant({ text: "*", has: () => true }), weight: 4 },
  // years near now, so that most expressions still fire; the field itself spans 1970-2199
  { arbitrary: fieldArb(2020, 2040, undefined, true, [1970, 2199]), weight: 1 },
);

interface Cron {
  text: string;
  matches: (l: Local) => boolean;
}

const cronArb: fc.Arbitrary<Cron> = fc
  .tuple(fieldArb(0, 59), fieldArb(0, 23), fc.oneof(domArb, dowArb), fieldArb(1, 12, MONTHS), yearArb)
  .map(([mi, h, days, mo, y]) => ({
    text: `cron(${mi.text} ${h.text} ${days.dom} ${mo.text} ${days.dow} ${y.text})`,
    matches: (l: Local) =>
      l.second === 0 &&
      mi.has(l.minute) &&
      h.has(l.hour) &&
      mo.has(l.month) &&
      y.has(l.year) &&
      days.has(l.year, l.month, l.day),
  }));

interface Local {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function localOf(ms: number, tz: string): Local {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-GB", {
      timeZone: tz,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(tz, f);
  }
  const p = Object.fromEntries(f.formatToParts(ms).map((x) => [x.type, x.value]));
  return {
    year: Number(p.year),
    month: Number(p.month),
    day: Number(p.day),
    hour: Number(p.hour),
    minute: Number(p.minute),
    second: Number(p.second),
  };
}
const wall = (l: Local): string => JSON.stringify(l);

const fromArb = fc.oneof(
  fc.integer({ min: Date.parse("2024-01-01T00:00:00Z"), max: Date.parse("2032-01-01T00:00:00Z") }),
  fc
    .tuple(fc.constantFrom(...TRANSITIONS), fc.integer({ min: -2 * 86_400_000, max: 2 * 86_400_000 }))
    .map(([t, d]) => t + d),
);

function fireTimes(cron: Cron, tz: string, from: number, count: number): number[] {
  const r = parseScheduleExpression(cron.text);
  // Refused because no date ever matches (30 February): then the scans must find no fire either.
  if (!r.ok && r.error.endsWith("it never fires")) return [];
  if (!r.ok) throw new Error(`generated expression refused: ${cron.text}: ${r.error}`);
  return nextFireTimes(r.value, { timezone: tz, from: new Date(from), count }).map((d) => d.getTime());
}

describe("cron fire times (property-based)", () => {
  it("are strictly increasing, after `from`, and match every field in the zone's local time", () => {
    fc.assert(
      fc.property(cronArb, fc.constantFrom(...ZONES), fromArb, (cron, tz, from) => {
        const times = fireTimes(cron, tz, from, 5);
        expect(times.length).toBeLessThanOrEqual(5);
        let prev = from;
        for (const t of times) {
          expect(t).toBeGreaterThan(prev);
          prev = t;
          const l = localOf(t, tz);
          expect(cron.matches(l), `${cron.text} in ${tz}: ${new Date(t).toISOString()} = ${wall(l)}`).toBe(
            true,
          );
          // runs once in a fall-back overlap: no earlier instant shows the same wall time
          for (let back = 1; back <= 6; back++)
            expect(wall(localOf(t - back * 1_800_000, tz))).not.toBe(wall(l));
        }
      }),
      { numRuns: 300 },
    );
  });

  it("miss nothing: a minute-by-minute scan finds exactly the same fires", () => {
    fc.assert(
      fc.property(cronArb, fc.constantFrom(...ZONES), fromArb, (cron, tz, fromRaw) => {
        const from = fromRaw - (fromRaw % 1000); // keep the scan on whole seconds
        const times = fireTimes(cron, tz, from, 5);
        const horizon = from + 2 * 86_400_000;
        const last = times.length === 5 ? Math.min(times[4] ?? horizon, horizon) : horizon;
        const expected: number[] = [];
        const seen = new Set<string>();
        // start early enough to see the first occurrence of any wall time repeated after `from`
        const firstMinute = Math.floor((from - 3 * 3_600_000) / 60_000) * 60_000;
        for (let t = firstMinute; t <= last; t += 60_000) {
          const l = localOf(t, tz);
          const key = wall(l);
          const firstTime = !seen.has(key);
          seen.add(key);
          if (t > from && firstTime && cron.matches(l)) expected.push(t);
        }
        expect(times.filter((t) => t <= last)).toEqual(expected);
      }),
      { numRuns: 60 },
    );
  });

  it("are the same whether asked for all at once or one after the other", () => {
    fc.assert(
      fc.property(cronArb, fc.constantFrom(...ZONES), fromArb, (cron, tz, from) => {
        const all = fireTimes(cron, tz, from, 4);
        const oneByOne: number[] = [];
        let cursor = from;
        for (let i = 0; i < 4; i++) {
          const next = fireTimes(cron, tz, cursor, 1)[0];
          if (next === undefined) break;
          oneByOne.push(next);
          cursor = next;
        }
        expect(oneByOne).toEqual(all);
      }),
      { numRuns: 150 },
    );
  });
});

describe("rate fire times (property-based)", () => {
  it("are anchor + k·interval, consecutive, the first one the earliest after `from`", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 500 }),
        fc.constantFrom("minute", "hour", "day"),
        fc.integer({ min: 0, max: 4_000_000_000_000 }),
        fc.integer({ min: 0, max: 4_000_000_000_000 }),
        fc.constantFrom(...ZONES),
        (value, unit, anchor, from, tz) => {
          const text = `rate(${value} ${unit}${value === 1 ? "" : "s"})`;
          const r = parseScheduleExpression(text);
          if (!r.ok || r.value.kind !== "rate") throw new Error(text);
          const step = r.value.intervalMs;
          const times = nextFireTimes(r.value, {
            timezone: tz,
            from: new Date(from),
            anchor: new Date(anchor),
            count: 3,
          }).map((d) => d.getTime());
          expect(times).toHaveLength(3);
          const [first = 0] = times;
          expect(first).toBeGreaterThan(from);
          expect((first - anchor) % step).toBe(0);
          expect(first >= anchor).toBe(true);
          if (first > anchor) expect(first - step).toBeLessThanOrEqual(from);
          expect(times).toEqual([first, first + step, first + 2 * step]);
        },
      ),
      { numRuns: 300 },
    );
  });
});
