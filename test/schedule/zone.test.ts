import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/errors.ts";
import { formatInZone, isValidTimeZone } from "../../src/schedule/index.ts";
import { checkTimeZone, instantsOf, localTimeOf, resolvesAsWritten } from "../../src/schedule/zone.ts";

describe("isValidTimeZone", () => {
  it.each([
    "UTC",
    "Europe/Paris",
    "America/New_York",
    "Asia/Kolkata",
    "America/Argentina/Buenos_Aires",
    "Etc/GMT+5",
  ])("accepts %s", (tz) => expect(isValidTimeZone(tz)).toBe(true));

  it.each([
    ["Mars/Base", "not a zone"],
    ["europe/paris", "wrong case: AWS matches names exactly"],
    ["utc", "wrong case"],
    ["+01:00", "an offset, not an IANA name"],
    ["", "empty"],
    ["Europe/Paris ", "trailing space"],
    [`Europe/${"X".repeat(50)}`, "longer than the 50 characters AWS allows"],
  ])("rejects %j (%s)", (tz) => expect(isValidTimeZone(tz)).toBe(false));
});

describe("checkTimeZone's fast path (Intl's list of canonical zones)", () => {
  const listed = [...Intl.supportedValuesOf("timeZone"), "UTC"].filter((z) => z.length <= 50);
  it("accepts exactly what Intl.DateTimeFormat accepts, for every listed zone and its wrong-case spellings", () => {
    expect(listed.length).toBeGreaterThan(300);
    for (const zone of listed) {
      for (const name of [zone, zone.toLowerCase(), zone.toUpperCase()]) {
        expect({ name, valid: checkTimeZone(name) }).toEqual({ name, valid: resolvesAsWritten(name) });
      }
    }
  });
  it("still takes aliases Intl does not list", () => {
    const aliases = ["US/Eastern", "Asia/Calcutta", "GB", "Etc/UTC"].filter((z) => !listed.includes(z));
    expect(aliases.length).toBeGreaterThan(0);
    for (const alias of aliases) expect(checkTimeZone(alias)).toBe(true);
  });
});

describe("formatInZone", () => {
  it("writes the zone's offset at that instant, with +00:00 for UTC", () => {
    expect(formatInZone(new Date("2026-03-29T01:00:00Z"), "Europe/Paris")).toBe("2026-03-29T03:00:00+02:00");
    expect(formatInZone(new Date("2026-03-29T00:59:00Z"), "Europe/Paris")).toBe("2026-03-29T01:59:00+01:00");
    expect(formatInZone(new Date("2026-11-01T05:30:00Z"), "America/New_York")).toBe(
      "2026-11-01T01:30:00-04:00",
    );
    expect(formatInZone(new Date("2026-11-01T06:30:00Z"), "America/New_York")).toBe(
      "2026-11-01T01:30:00-05:00",
    );
    expect(formatInZone(new Date("2026-01-01T00:00:00Z"), "UTC")).toBe("2026-01-01T00:00:00+00:00");
    expect(formatInZone(new Date("2026-01-01T00:00:00Z"), "Asia/Kolkata")).toBe("2026-01-01T05:30:00+05:30");
  });

  it("keeps milliseconds only when there are some, and crosses the date line", () => {
    expect(formatInZone(new Date("2026-12-31T23:59:59.250Z"), "Pacific/Kiritimati")).toBe(
      "2027-01-01T13:59:59.250+14:00",
    );
  });

  it("round-trips: the formatted string parses back to the same instant", () => {
    for (const iso of ["2026-03-29T01:00:00Z", "2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z"]) {
      const d = new Date(iso);
      expect(new Date(formatInZone(d, "Europe/Paris")).getTime()).toBe(d.getTime());
    }
  });

  it("rejects an invalid zone", () => {
    expect(() => formatInZone(new Date(), "Mars/Base")).toThrow(ValidationError);
  });
});

describe("local time ↔ instants", () => {
  const local = (day: number, hour: number, minute: number, month = 3) => ({
    year: 2026,
    month,
    day,
    hour,
    minute,
    second: 0,
  });

  it("finds no instant in a spring-forward gap and two in a fall-back overlap", () => {
    expect(instantsOf(local(29, 2, 30), "Europe/Paris")).toEqual([]);
    expect(instantsOf(local(25, 2, 30, 10), "Europe/Paris")).toEqual([
      Date.parse("2026-10-25T00:30:00Z"),
      Date.parse("2026-10-25T01:30:00Z"),
    ]);
    expect(instantsOf(local(29, 3, 0), "Europe/Paris")).toEqual([Date.parse("2026-03-29T01:00:00Z")]);
  });

  it("reads back the local time of an instant", () => {
    expect(localTimeOf(Date.parse("2026-11-01T06:30:00Z"), "America/New_York")).toEqual({
      year: 2026,
      month: 11,
      day: 1,
      hour: 1,
      minute: 30,
      second: 0,
    });
  });
});
