/**
 * Specs are read by js-yaml with the YAML 1.2 core schema (no YAML 1.1 booleans, no timestamps, no merge
 * keys), and errors are placed by a second read of the same parser. What the dialect makes of the values a
 * person is likely to write, and the guard against alias bombs, which js-yaml would share and a walk expand.
 */
import { describe, expect, it } from "vitest";
import { parseJobs } from "../../src/jobspec/parse.ts";

const TASK = "task:\n  taskDefinition: t\n";

describe("the YAML dialect of job specs", () => {
  it("reads values by the YAML 1.2 core schema", () => {
    const text = `${TASK}  tags:\n    a: 2026-01-01T00:00:00Z\n    b: 'on'\n    c: on\n    d: yes\n    e: "010"\n`;
    const { jobs, issues } = parseJobs([{ file: "jobs/dialect.yml", text }]);
    expect(issues).toEqual([]);
    expect(jobs[0]?.spec.task.tags).toEqual({
      a: "2026-01-01T00:00:00Z",
      b: "on",
      c: "on",
      d: "yes",
      e: "010",
    });
  });

  it("reads integers as 1.2 does (0x2 is 2, 010 is 10, 0o10 is 8)", () => {
    const text = `${TASK}policy:\n  timeoutMinutes: 010\n  pauseAfterFailures: 0o10\n  retries:\n    attempts: 0x2\n    on: [exit:1]\n`;
    const { jobs, issues } = parseJobs([{ file: "jobs/numbers.yml", text }]);
    expect(issues.map((i) => i.message)).toEqual([]);
    expect(jobs[0]?.spec.policy).toMatchObject({
      timeoutMinutes: 10,
      pauseAfterFailures: 8,
      retries: { attempts: 2 },
    });
  });

  it("refuses alias bombs at the first alias, without expanding them", () => {
    const bomb = `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n${TASK}`;
    const { jobs, issues } = parseJobs([{ file: "jobs/bomb.yml", text: bomb }]);
    expect(jobs).toEqual([]);
    expect(issues).toEqual([
      expect.objectContaining({
        file: "jobs/bomb.yml",
        line: 2,
        column: 8,
        message: expect.stringMatching(/alias/i),
      }),
    ]);
  });

  it("takes a few aliases of a map, as a person writes them", () => {
    const env = "{ STAGE: prod, REGION: eu-west-1 }";
    const text = `${TASK}  overrides:\n    containers:\n      - name: a\n        environment: &env ${env}\n      - name: b\n        environment: *env\n`;
    const { jobs, issues } = parseJobs([{ file: "jobs/anchor.yml", text }]);
    expect(issues).toEqual([]);
    const expected = { STAGE: "prod", REGION: "eu-west-1" };
    expect(jobs[0]?.spec.task.overrides?.containers.map((c) => c.environment)).toEqual([expected, expected]);
  });
});
