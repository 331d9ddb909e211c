import { describe, expect, it } from "vitest";
import { describeSchedule } from "../../src/schedule/describe.ts";
import { parseScheduleExpression } from "../../src/schedule/index.ts";

function describeText(text: string): string {
  const r = parseScheduleExpression(text);
  if (!r.ok) throw new Error(r.error);
  return describeSchedule(r.value);
}

describe("describeSchedule", () => {
  it.each([
    ["cron(0 3 * * ? *)", "At 03:00"],
    // day-of-week 1-7 = SUN-SAT, not 0-6
    ["cron(0 0 ? * 1 *)", "At 00:00, only on Sunday"],
    ["cron(0 8 ? * 2-6 *)", "At 08:00, Monday through Friday"],
    ["cron(15 10 ? * 6L *)", "At 10:15, on the last Friday of the month"],
    ["cron(0 12 ? * 3#2 *)", "At 12:00, on the second Tuesday of the month"],
    ["cron(0 0 LW * ? *)", "At 00:00, on the last weekday of the month"],
    ["cron(0 0 1 1 ? 2026-2028)", "At 00:00, on day 1 of the month, only in January, 2026 through 2028"],
    ["rate(1 hour)", "Every hour"],
    ["@every 10m", "Every 10 minutes"],
    ["at(2026-03-29T03:00:00)", "Once, at 2026-03-29 03:00:00"],
  ])("%s → %s", (text, expected) => {
    expect(describeText(text)).toBe(expected);
  });
});
