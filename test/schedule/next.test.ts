import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/errors.ts";
import {
  type NextFireOptions,
  nextFireTimes,
  parseScheduleExpression,
  type ScheduleExpression,
} from "../../src/schedule/index.ts";

// Expected instants below were worked out independently with Python's zoneinfo and calendar
// (2026: Paris springs forward 29 Mar 01:00Z and falls back 25 Oct 01:00Z; New York springs
// forward 8 Mar 07:00Z and falls back 1 Nov 06:00Z).

function expr(text: string): ScheduleExpression {
  const r = parseScheduleExpression(text);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

function fires(
  text: string,
  timezone: string,
  from: string,
  count = 5,
  extra: Omit<Partial<NextFireOptions>, "from" | "count" | "timezone"> = {},
): string[] {
  return nextFireTimes(expr(text), { timezone, from: new Date(from), count, ...extra }).map((d) =>
    d.toISOString(),
  );
}

describe("cron in UTC", () => {
  it("fires daily at the given time, strictly after from", () => {
    expect(fires("cron(0 10 * * ? *)", "UTC", "2026-01-01T10:00:00Z", 3)).toEqual([
      "2026-01-02T10:00:00.000Z",
      "2026-01-03T10:00:00.000Z",
      "2026-01-04T10:00:00.000Z",
    ]);
    expect(fires("cron(0 10 * * ? *)", "UTC", "2026-01-01T09:59:59.999Z", 1)).toEqual([
      "2026-01-01T10:00:00.000Z",
    ]);
  });

  it("defaults to UTC", () => {
    expect(nextFireTimes(expr("@daily"), { from: new Date("2026-05-05T12:00:00Z"), count: 1 })).toEqual([
      new Date("2026-05-06T00:00:00Z"),
    ]);
  });

  it("walks steps, ranges and weekdays (2026-01-02 is a Friday)", () => {
    expect(fires("cron(0/20 9-10 ? * MON-FRI *)", "UTC", "2026-01-02T10:30:00Z", 4)).toEqual([
      "2026-01-02T10:40:00.000Z",
      "2026-01-05T09:00:00.000Z",
      "2026-01-05T09:20:00.000Z",
      "2026-01-05T09:40:00.000Z",
    ]);
  });

  it("honours the year field and month names", () => {
    expect(fires("cron(0 0 1 JAN,JUL ? 2027-2028)", "UTC", "2026-06-01T00:00:00Z", 10)).toEqual([
      "2027-01-01T00:00:00.000Z",
      "2027-07-01T00:00:00.000Z",
      "2028-01-01T00:00:00.000Z",
      "2028-07-01T00:00:00.000Z",
    ]);
  });

  it("@weekly fires on Sundays (2026-01-04 is a Sunday)", () => {
    expect(fires("@weekly", "UTC", "2026-01-01T00:00:00Z", 2)).toEqual([
      "2026-01-04T00:00:00.000Z",
      "2026-01-11T00:00:00.000Z",
    ]);
  });
});

describe("cron in other zones", () => {
  it("evaluates hours in the zone (Asia/Kolkata is +05:30)", () => {
    expect(fires("cron(0 9 * * ? *)", "Asia/Kolkata", "2026-01-01T12:00:00Z", 2)).toEqual([
      "2026-01-02T03:30:00.000Z",
      "2026-01-03T03:30:00.000Z",
    ]);
  });

  it("evaluates the day in the zone, not in UTC (Monday 00:30 in Tokyo is Sunday 15:30 UTC)", () => {
    expect(fires("cron(30 0 ? * MON *)", "Asia/Tokyo", "2026-01-01T00:00:00Z", 2)).toEqual([
      "2026-01-04T15:30:00.000Z",
      "2026-01-11T15:30:00.000Z",
    ]);
  });

  it("evaluates a New York cron at -05:00 in winter and -04:00 in summer", () => {
    expect(fires("cron(0 12 1 * ? *)", "America/New_York", "2026-02-15T00:00:00Z", 2)).toEqual([
      "2026-03-01T17:00:00.000Z",
      "2026-04-01T16:00:00.000Z",
    ]);
  });
});

describe("L, W and # days", () => {
  it("3#2 is the second Tuesday", () => {
    expect(fires("cron(0 12 ? * 3#2 *)", "UTC", "2026-01-01T00:00:00Z", 3)).toEqual([
      "2026-01-13T12:00:00.000Z",
      "2026-02-10T12:00:00.000Z",
      "2026-03-10T12:00:00.000Z",
    ]);
  });

  it("6#5 fires only in months that have a fifth Friday", () => {
    expect(fires("cron(0 0 ? * FRI#5 *)", "UTC", "2026-01-01T00:00:00Z", 4)).toEqual([
      "2026-01-30T00:00:00.000Z",
      "2026-05-29T00:00:00.000Z",
      "2026-07-31T00:00:00.000Z",
      "2026-10-30T00:00:00.000Z",
    ]);
  });

  it("L is the last day of the month, leap years included", () => {
    expect(fires("cron(0 0 L * ? *)", "UTC", "2026-01-01T00:00:00Z", 4)).toEqual([
      "2026-01-31T00:00:00.000Z",
      "2026-02-28T00:00:00.000Z",
      "2026-03-31T00:00:00.000Z",
      "2026-04-30T00:00:00.000Z",
    ]);
    expect(fires("cron(0 0 L 2 ? *)", "UTC", "2027-03-01T00:00:00Z", 1)).toEqual([
      "2028-02-29T00:00:00.000Z",
    ]);
  });

  it("6L is the last Friday of the month", () => {
    expect(fires("cron(15 10 ? * 6L *)", "UTC", "2026-01-01T00:00:00Z", 4)).toEqual([
      "2026-01-30T10:15:00.000Z",
      "2026-02-27T10:15:00.000Z",
      "2026-03-27T10:15:00.000Z",
      "2026-04-24T10:15:00.000Z",
    ]);
  });

  it("L alone in day-of-week is Saturday", () => {
    expect(fires("cron(0 0 ? * L *)", "UTC", "2026-01-01T00:00:00Z", 2)).toEqual([
      "2026-01-03T00:00:00.000Z",
      "2026-01-10T00:00:00.000Z",
    ]);
  });

  it("15W moves a Sunday to Monday and a Saturday to Friday", () => {
    // 2026-03-15 is a Sunday, 2026-08-15 a Saturday
    expect(fires("cron(0 0 15W 3,8 ? 2026)", "UTC", "2026-01-01T00:00:00Z")).toEqual([
      "2026-03-16T00:00:00.000Z",
      "2026-08-14T00:00:00.000Z",
    ]);
  });

  it("W never leaves the month: 1W on a Saturday is Monday the 3rd, 31W on a Sunday is Friday the 29th", () => {
    // 2026-08-01 is a Saturday, 2026-05-31 a Sunday
    expect(fires("cron(0 0 1W 8 ? 2026)", "UTC", "2026-01-01T00:00:00Z")).toEqual([
      "2026-08-03T00:00:00.000Z",
    ]);
    expect(fires("cron(0 0 31W 5 ? 2026)", "UTC", "2026-01-01T00:00:00Z")).toEqual([
      "2026-05-29T00:00:00.000Z",
    ]);
    // a 30-day month has no 31st: nothing that month
    expect(fires("cron(0 0 31W 4,5 ? 2026)", "UTC", "2026-01-01T00:00:00Z")).toEqual([
      "2026-05-29T00:00:00.000Z",
    ]);
  });

  it("LW is the last weekday of the month", () => {
    // 2026-01-31 and 2026-02-28 are Saturdays; 2026-03-31 is a Tuesday
    expect(fires("cron(0 21 LW * ? *)", "UTC", "2026-01-01T00:00:00Z", 3)).toEqual([
      "2026-01-30T21:00:00.000Z",
      "2026-02-27T21:00:00.000Z",
      "2026-03-31T21:00:00.000Z",
    ]);
  });
});

describe("rare and impossible dates come back fast", () => {
  it("29 February fires in leap years only", () => {
    const t0 = performance.now();
    expect(fires("cron(0 0 29 2 ? *)", "UTC", "2026-01-01T00:00:00Z", 5)).toEqual([
      "2028-02-29T00:00:00.000Z",
      "2032-02-29T00:00:00.000Z",
      "2036-02-29T00:00:00.000Z",
      "2040-02-29T00:00:00.000Z",
      "2044-02-29T00:00:00.000Z",
    ]);
    expect(performance.now() - t0).toBeLessThan(500);
  });

  it.each([
    // (30 February and the like are refused by the parser: test/schedule/expression.test.ts)
    ["cron(0 0 1 1 ? 2020-2025)", "UTC"],
    ["cron(* * * * ? 1970)", "Europe/Paris"],
    // 02:30 on the last Sunday of March never exists in Paris: it is always in the DST gap
    ["cron(30 2 ? 3 1L *)", "Europe/Paris"],
  ])("%s in %s never fires again: empty list", (text, tz) => {
    const t0 = performance.now();
    expect(fires(text, tz, "2026-01-01T00:00:00Z")).toEqual([]);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it("returns the last fires of a schedule that ends in 2199", () => {
    expect(fires("cron(59 23 31 12 ? *)", "UTC", "2198-06-01T00:00:00Z", 5)).toEqual([
      "2198-12-31T23:59:00.000Z",
      "2199-12-31T23:59:00.000Z",
    ]);
  });
});

describe("daylight saving time: spring forward skips, fall back runs once", () => {
  it("Europe/Paris 29 March 2026: 02:30 does not exist, so that day is skipped", () => {
    expect(fires("cron(30 2 * * ? *)", "Europe/Paris", "2026-03-27T12:00:00Z", 3)).toEqual([
      "2026-03-28T01:30:00.000Z", // 02:30+01:00
      "2026-03-30T00:30:00.000Z", // 02:30+02:00
      "2026-03-31T00:30:00.000Z",
    ]);
  });

  it("Europe/Paris 29 March 2026: hourly goes 01:00 → 03:00", () => {
    expect(fires("cron(0 * * * ? *)", "Europe/Paris", "2026-03-28T23:30:00Z", 3)).toEqual([
      "2026-03-29T00:00:00.000Z", // 01:00+01:00
      "2026-03-29T01:00:00.000Z", // 03:00+02:00
      "2026-03-29T02:00:00.000Z", // 04:00+02:00
    ]);
  });

  it("Europe/Paris 25 October 2026: 02:30 happens twice but fires once, at the first", () => {
    expect(fires("cron(30 2 * * ? *)", "Europe/Paris", "2026-10-24T12:00:00Z", 3)).toEqual([
      "2026-10-25T00:30:00.000Z", // 02:30+02:00 (and not 01:30Z, 02:30+01:00)
      "2026-10-26T01:30:00.000Z", // 02:30+01:00
      "2026-10-27T01:30:00.000Z",
    ]);
  });

  it("Europe/Paris 25 October 2026: every 30 minutes does not repeat the repeated hour", () => {
    expect(fires("cron(0/30 * * * ? *)", "Europe/Paris", "2026-10-24T23:45:00Z", 5)).toEqual([
      "2026-10-25T00:00:00.000Z", // 02:00+02:00
      "2026-10-25T00:30:00.000Z", // 02:30+02:00
      "2026-10-25T02:00:00.000Z", // 03:00+01:00 (02:00+01:00 and 02:30+01:00 skipped)
      "2026-10-25T02:30:00.000Z",
      "2026-10-25T03:00:00.000Z",
    ]);
  });

  it("America/New_York 8 March 2026: 02:30 is skipped", () => {
    expect(fires("cron(30 2 * * ? *)", "America/New_York", "2026-03-06T12:00:00Z", 3)).toEqual([
      "2026-03-07T07:30:00.000Z", // 02:30-05:00
      "2026-03-09T06:30:00.000Z", // 02:30-04:00
      "2026-03-10T06:30:00.000Z",
    ]);
  });

  it("America/New_York 8 March 2026: a time just outside the gap still fires", () => {
    expect(fires("cron(59 1,3 * * ? *)", "America/New_York", "2026-03-08T00:00:00Z", 2)).toEqual([
      "2026-03-08T06:59:00.000Z", // 01:59-05:00
      "2026-03-08T07:59:00.000Z", // 03:59-04:00
    ]);
  });

  it("America/New_York 1 November 2026: 01:30 fires once, at 01:30 EDT", () => {
    expect(fires("cron(30 1 * * ? *)", "America/New_York", "2026-10-31T12:00:00Z", 2)).toEqual([
      "2026-11-01T05:30:00.000Z", // 01:30-04:00 (not 06:30Z, 01:30-05:00)
      "2026-11-02T06:30:00.000Z", // 01:30-05:00
    ]);
  });

  it("America/New_York 1 November 2026: from inside the repeated hour, the repeat is not a fire", () => {
    // 06:10Z is 01:10 EST, after 01:30 EDT has already fired
    expect(fires("cron(30 1 * * ? *)", "America/New_York", "2026-11-01T06:10:00Z", 1)).toEqual([
      "2026-11-02T06:30:00.000Z",
    ]);
  });

  it("America/New_York 1 November 2026: hourly fires 01:00 EDT then 02:00 EST", () => {
    expect(fires("@hourly", "America/New_York", "2026-11-01T03:30:00Z", 4)).toEqual([
      "2026-11-01T04:00:00.000Z", // 00:00-04:00
      "2026-11-01T05:00:00.000Z", // 01:00-04:00
      "2026-11-01T07:00:00.000Z", // 02:00-05:00
      "2026-11-01T08:00:00.000Z",
    ]);
  });
});

describe("rate", () => {
  it("without anchor or start, counts from `from`", () => {
    expect(fires("rate(10 minutes)", "UTC", "2026-01-01T00:00:30Z", 2)).toEqual([
      "2026-01-01T00:10:30.000Z",
      "2026-01-01T00:20:30.000Z",
    ]);
  });

  it("fires at anchor + k·interval, strictly after from", () => {
    const anchor = new Date("2026-01-01T00:07:00Z");
    expect(fires("rate(15 minutes)", "UTC", "2026-01-01T01:00:00Z", 3, { anchor })).toEqual([
      "2026-01-01T01:07:00.000Z",
      "2026-01-01T01:22:00.000Z",
      "2026-01-01T01:37:00.000Z",
    ]);
    expect(fires("rate(15 minutes)", "UTC", "2026-01-01T01:07:00Z", 1, { anchor })).toEqual([
      "2026-01-01T01:22:00.000Z",
    ]);
  });

  it("startDate is the first occurrence and wins over the anchor", () => {
    const startDate = new Date("2026-02-01T08:00:00Z");
    const anchor = new Date("2026-01-01T00:07:00Z");
    expect(fires("rate(1 hour)", "UTC", "2026-01-15T00:00:00Z", 2, { startDate, anchor })).toEqual([
      "2026-02-01T08:00:00.000Z",
      "2026-02-01T09:00:00.000Z",
    ]);
  });

  it("counts days as 24 hours across DST (local time shifts from 12:00 to 13:00 in Paris)", () => {
    const anchor = new Date("2026-03-28T11:00:00Z"); // 12:00+01:00
    expect(fires("rate(1 day)", "Europe/Paris", "2026-03-28T11:00:00Z", 2, { anchor })).toEqual([
      "2026-03-29T11:00:00.000Z", // 13:00+02:00
      "2026-03-30T11:00:00.000Z",
    ]);
  });

  it("stops at endDate (inclusive)", () => {
    const endDate = new Date("2026-01-01T00:30:00Z");
    const anchor = new Date("2026-01-01T00:00:00Z");
    expect(fires("rate(10 minutes)", "UTC", "2026-01-01T00:00:00Z", 10, { anchor, endDate })).toEqual([
      "2026-01-01T00:10:00.000Z",
      "2026-01-01T00:20:00.000Z",
      "2026-01-01T00:30:00.000Z",
    ]);
  });
});

describe("at", () => {
  it("fires once, at the local time in the zone", () => {
    expect(fires("at(2026-07-14T09:30:00)", "Europe/Paris", "2026-01-01T00:00:00Z", 5)).toEqual([
      "2026-07-14T07:30:00.000Z",
    ]);
    expect(fires("at(2026-07-14T09:30:00)", "UTC", "2026-01-01T00:00:00Z", 5)).toEqual([
      "2026-07-14T09:30:00.000Z",
    ]);
  });

  it("has no fire once its time has passed", () => {
    expect(fires("at(2026-07-14T09:30:00)", "UTC", "2026-07-14T09:30:00Z")).toEqual([]);
  });

  it("ignores startDate and endDate, as CreateSchedule documents for one-time schedules", () => {
    const startDate = new Date("2027-01-01T00:00:00Z");
    const endDate = new Date("2026-02-01T00:00:00Z");
    expect(
      fires("at(2026-07-14T09:30:00)", "UTC", "2026-01-01T00:00:00Z", 1, { startDate, endDate }),
    ).toEqual(["2026-07-14T09:30:00.000Z"]);
  });

  it("takes the first of a repeated time and moves a skipped one later by the gap", () => {
    expect(fires("at(2026-10-25T02:30:00)", "Europe/Paris", "2026-01-01T00:00:00Z")).toEqual([
      "2026-10-25T00:30:00.000Z",
    ]);
    expect(fires("at(2026-03-29T02:30:00)", "Europe/Paris", "2026-01-01T00:00:00Z")).toEqual([
      "2026-03-29T01:30:00.000Z", // 03:30+02:00
    ]);
  });
});

describe("start/end window for cron", () => {
  it("fires on or after startDate and on or before endDate", () => {
    const startDate = new Date("2026-01-10T00:00:00Z");
    const endDate = new Date("2026-01-12T00:00:00Z");
    expect(fires("@daily", "UTC", "2026-01-01T00:00:00Z", 10, { startDate, endDate })).toEqual([
      "2026-01-10T00:00:00.000Z",
      "2026-01-11T00:00:00.000Z",
      "2026-01-12T00:00:00.000Z",
    ]);
  });

  it("a start in the past changes nothing; an end in the past leaves nothing", () => {
    const startDate = new Date("2020-01-01T00:00:00Z");
    expect(fires("@daily", "UTC", "2026-01-01T12:00:00Z", 1, { startDate })).toEqual([
      "2026-01-02T00:00:00.000Z",
    ]);
    const endDate = new Date("2025-01-01T00:00:00Z");
    expect(fires("@daily", "UTC", "2026-01-01T12:00:00Z", 1, { endDate })).toEqual([]);
  });
});

describe("bad options", () => {
  const daily = expr("@daily");
  const from = new Date("2026-01-01T00:00:00Z");

  it("rejects an unknown time zone, naming the field", () => {
    expect(() => nextFireTimes(daily, { timezone: "Mars/Base", from, count: 1 })).toThrow(ValidationError);
    expect(() => nextFireTimes(daily, { timezone: "Mars/Base", from, count: 1 })).toThrow(
      /timezone: "Mars\/Base"/,
    );
  });

  it("rejects invalid dates and counts", () => {
    expect(() => nextFireTimes(daily, { from: new Date("nope"), count: 1 })).toThrow(
      /from: expected a valid date/,
    );
    expect(() => nextFireTimes(daily, { from, count: -1 })).toThrow(/count/);
    expect(() => nextFireTimes(daily, { from, count: 1.5 })).toThrow(/count/);
    expect(() => nextFireTimes(daily, { from, count: 1, endDate: new Date(Number.NaN) })).toThrow(/endDate/);
  });

  it("returns nothing for count 0", () => {
    expect(nextFireTimes(daily, { from, count: 0 })).toEqual([]);
  });
});
