/**
 * What reaches the terminal from the local stack's log: anything a caller sent (a refused field name, a job
 * name in a path) may hold terminal escapes; they are shown escaped, never interpreted (issue 20, item 14).
 */
import { describe, expect, it } from "vitest";
import { createLocalLog } from "../../local/log.ts";

describe("the local log", () => {
  it("escapes control characters from messages and fields, keeping the line structure", () => {
    const lines: string[] = [];
    const log = createLocalLog((l) => lines.push(l), { now: () => new Date("2026-01-01T00:00:00Z") });
    log.warn("request refused \u001b]0;pwned\u0007", {
      field: "overrides.environment.\u001b[2J\u001b[31mX",
      other: "a\rb\u009bc\u0000",
    });
    const out = lines.join("");
    // Nothing below U+0020 but the newline, and no DEL or C1 character.
    expect([...out].filter((c) => c !== "\n" && (c < " " || (c >= "\u007f" && c <= "\u009f")))).toEqual([]);
    expect(out).toContain("\\x1b[2J");
    expect(out).toContain("\\x1b]0;pwned\\x07");
    expect(out.endsWith("\n")).toBe(true);
    expect(out.split("\n")).toHaveLength(2);
  });

  it("keeps the newlines of a stack trace", () => {
    const lines: string[] = [];
    const log = createLocalLog((l) => lines.push(l));
    log.error("failed", { error: new Error("boom") });
    expect(lines.join("").split("\n").length).toBeGreaterThan(2);
  });
});
