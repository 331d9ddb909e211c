import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { compileJavaPattern } from "../../../local/model/java-regex.ts";
import type { BotocoreModel } from "../../../local/model/model-types.ts";
import { patternReport } from "../../../local/model/validate.ts";

const matcher = (pattern: string) => {
  const c = compileJavaPattern(pattern);
  if ("error" in c) throw new Error(c.error);
  return (s: string) => c.regex.test(s);
};

describe("Java patterns in JavaScript", () => {
  it("match the whole value, as Java's matches() does", () => {
    const account = matcher("\\d{12}");
    expect(account("123456789012")).toBe(true);
    expect(account("1234567890123")).toBe(false);
    expect(account("x123456789012")).toBe(false);
    const alt = matcher("(arn:aws:.*)|(\\$\\.\\w+)");
    expect(alt("arn:aws:x")).toBe(true);
    expect(alt("$.field")).toBe(true);
    expect(alt("xarn:aws:x")).toBe(false);
  });

  it("translate classes and escapes Java has and JavaScript spells differently", () => {
    const name = matcher("^[a-zA-Z0-9-_]+$");
    expect(name("my-job_1")).toBe(true);
    expect(name("my job")).toBe(false);
    const tag = matcher("([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)");
    expect(tag("team:data éé 1")).toBe(true);
    expect(tag("a!b")).toBe(false);
    expect(matcher("\\p{Alpha}+\\p{Digit}")("abc1")).toBe(true);
    expect(matcher("[\\p{Alnum}_]+")("a_1")).toBe(true);
    expect(matcher("[\\p{Alnum}_]+")("a-1")).toBe(false);
    // Java lets any punctuation be escaped; JavaScript's u mode does not.
    expect(matcher("a\\_b\\@c")("a_b@c")).toBe(true);
    expect(matcher("\\Qa.b*\\E")("a.b*")).toBe(true);
    expect(matcher("\\Qa.b*\\E")("axbb")).toBe(false);
    expect(matcher("(?i)abc")("ABC")).toBe(true);
    expect(matcher("\\Aab\\z")("ab")).toBe(true);
    expect(matcher("a++b")("aab")).toBe(true);
    expect(matcher("a{2}+b")("aab")).toBe(true);
    expect(matcher("a+?b")("aab")).toBe(true);
    expect(matcher("\\d+\\+\\d+")("1+2")).toBe(true);
    expect(matcher("[]a]+")("]a")).toBe(true);
  });

  it("say why a pattern cannot be translated instead of guessing", () => {
    expect(compileJavaPattern("[a-z&&[^aeiou]]")).toEqual({ error: "class intersection (&&)" });
    expect(compileJavaPattern("\\p{InGreek}")).toMatchObject({
      error: expect.stringContaining("Unicode block"),
    });
    expect(compileJavaPattern("(?x) a b")).toMatchObject({ error: expect.stringContaining("(?x)") });
    expect(compileJavaPattern("[a-")).toMatchObject({ error: expect.any(String) });
  });

  it("every pattern of the shared AWS models compiles", () => {
    const dir = resolve(import.meta.dirname, "../../../../shared/aws-models");
    const files = ["ecs", "scheduler", "eventbridge"]
      .map((n) => resolve(dir, `${n}.json`))
      .filter(existsSync);
    let total = 0;
    for (const file of files) {
      const report = patternReport(JSON.parse(readFileSync(file, "utf8")) as BotocoreModel);
      expect(report.skipped, file).toEqual([]);
      total += report.total;
    }
    // Without ../shared the trimmed copy still has patterns to check.
    if (files.length === 0) {
      const trimmed = resolve(import.meta.dirname, "../../../local/model/ecs-model.json");
      total = patternReport(JSON.parse(readFileSync(trimmed, "utf8")) as BotocoreModel).total;
    }
    expect(total).toBeGreaterThan(0);
  });
});
