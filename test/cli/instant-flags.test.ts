/**
 * Instants the CLI takes as flags (issue 20, item 11): `new Date()` reads 2026-02-30 as 2 March, so a date
 * that does not exist is a usage error (exit 2) naming the flag and the value.
 */
import { describe, expect, it } from "vitest";
import { parseInstantFlag } from "../../src/cli/instant.ts";
import { cli } from "../support/cli.ts";

describe("parseInstantFlag", () => {
  it.each([
    ["2026-03-28T00:00:00Z", "2026-03-28T00:00:00.000Z"],
    ["2026-03-28T01:30:00+01:00", "2026-03-28T00:30:00.000Z"],
    ["2026-03-28T01:30+0100", "2026-03-28T00:30:00.000Z"],
    ["2026-03-28T00:00:00.250Z", "2026-03-28T00:00:00.250Z"],
    ["2028-02-29T12:00:00Z", "2028-02-29T12:00:00.000Z"],
    ["2026-03-28", "2026-03-28T00:00:00.000Z"],
  ])("%s is %s", (text, iso) => {
    expect(parseInstantFlag(text, "--from").toISOString()).toBe(iso);
  });

  it.each([
    ["2026-02-30T00:00:00Z", "2026-02-30 is not a date (February 2026 has 28 days)"],
    ["2027-02-29T00:00:00Z", "2027-02-29 is not a date (February 2027 has 28 days)"],
    ["2026-04-31", "2026-04-31 is not a date (April 2026 has 30 days)"],
    ["2026-13-01T00:00:00Z", "month 13 is out of range 01-12"],
    ["2026-03-28T24:00:00Z", "hour 24 is out of range 00-23"],
    ["2026-03-28T23:60:00Z", "minute 60 is out of range 00-59"],
    ["2026-03-28T23:00:60Z", "second 60 is out of range 00-59"],
    ["2026-03-28T10:00:00", "write it with Z or an offset, e.g. 2026-03-28T00:00:00Z"],
    ["2026-03-28T10:00:00+25:00", "offset +25:00 is out of range"],
    ["tomorrow", "write it with Z or an offset, e.g. 2026-03-28T00:00:00Z"],
    ["March 2 2026", "write it with Z or an offset, e.g. 2026-03-28T00:00:00Z"],
  ])("%s is refused: %s", (text, why) => {
    expect(() => parseInstantFlag(text, "--from")).toThrow(
      `--from expects an ISO 8601 date-time: ${why}, got "${text}"`,
    );
  });
});

describe("ecs-jobs next --from", () => {
  it("exits 2 on a date that does not exist, naming the value", async () => {
    const r = await cli(["next", "nightly-report", "--from", "2026-02-30T00:00:00Z"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(
      '--from expects an ISO 8601 date-time: 2026-02-30 is not a date (February 2026 has 28 days), got "2026-02-30T00:00:00Z"',
    );
  });

  it("still reads a real one", async () => {
    const r = await cli(["next", "nightly-report", "-n", "1", "--from", "2026-03-01T00:00:00Z"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("2026-03-01T03:00:00+01:00\n");
  });
});
