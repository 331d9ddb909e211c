/**
 * Spec texts written to hurt the loader (issue 20, items 9 and 10): keys that name JavaScript object
 * internals, nesting past the parser's limit, and key counts that made the loader quadratic. Each must end
 * as located issues, never as job fields, a throw or a hang.
 */
import { describe, expect, it } from "vitest";
import { formatSpecIssue } from "../../src/errors.ts";
import { mergeDefaults, parseJobs } from "../../src/jobspec/parse.ts";
import { FARGATE_JOB, files } from "../support/spec.ts";

const parse = (yaml: string, defaults?: string) =>
  parseJobs(
    files({ report: yaml }),
    defaults === undefined ? undefined : { file: "jobs/defaults.yml", text: defaults },
  );
const lines = (r: ReturnType<typeof parse>) => r.issues.map(formatSpecIssue);

describe("keys that name object internals", () => {
  it("a top-level __proto__ is reported where it stands, and its contents never become job fields", () => {
    const r = parse(`${FARGATE_JOB}__proto__:\n  schedule:\n    expression: rate(1 hour)\n  http: true\n`);
    expect(r.jobs).toEqual([]);
    expect(lines(r)).toContain(
      'jobs/report.yml:8:1 __proto__: "__proto__" is not allowed as a key (it names JavaScript object internals)',
    );
  });

  it("constructor and prototype are reported at any depth, with their field path", () => {
    const r = parse(
      `${FARGATE_JOB}  overrides:\n    containers:\n      - name: app\n        environment:\n          constructor: x\n          prototype: y\n`,
    );
    expect(r.jobs).toEqual([]);
    expect(lines(r)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^jobs\/report\.yml:12:11 task\.overrides\.containers\[0\]\.environment\.constructor: "constructor" is not allowed/,
        ),
        expect.stringMatching(
          /^jobs\/report\.yml:13:11 task\.overrides\.containers\[0\]\.environment\.prototype: "prototype" is not allowed/,
        ),
      ]),
    );
  });

  it("a __proto__ in defaults.yml is reported in defaults.yml and its contents reach no job", () => {
    const r = parse(FARGATE_JOB, `__proto__:\n  http: true\n`);
    expect(r.jobs.map((j) => j.spec.http)).toEqual([undefined]);
    expect(lines(r)).toContain(
      'jobs/defaults.yml:1:1 __proto__: "__proto__" is not allowed as a key (it names JavaScript object internals)',
    );
  });

  it("is reported in a file with anchors too (read by the other parser)", () => {
    const r = parse(`${FARGATE_JOB}  tags: &t { team: data }\nlocal:\n  __proto__: *t\n`);
    expect(r.jobs).toEqual([]);
    expect(lines(r)).toContain(
      'jobs/report.yml:10:3 local.__proto__: "__proto__" is not allowed as a key (it names JavaScript object internals)',
    );
  });

  it("mergeDefaults copies only own keys and never sets a prototype", () => {
    const job = JSON.parse('{"__proto__": {"http": true}, "task": {"constructor": {"x": 1}}}');
    const merged = mergeDefaults({ task: { cluster: "c" } }, job) as Record<string, unknown>;
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect("http" in merged).toBe(false);
    const task = merged.task as Record<string, unknown>;
    expect(Object.getPrototypeOf(task)).toBe(Object.prototype);
    expect(task.cluster).toBe("c");
    expect(Object.keys(merged)).toEqual(["task"]);
    expect(Object.keys(task)).toEqual(["cluster"]);
  });
});

describe("nesting", () => {
  it("30,000 levels of flow maps: one issue naming the depth limit, at the level where it is passed", () => {
    const r = parse(`${FARGATE_JOB}local: ${"{a: ".repeat(30_000)}1${"}".repeat(30_000)}\n`);
    expect(r.jobs).toEqual([]);
    expect(lines(r)).toEqual([
      expect.stringMatching(/^jobs\/report\.yml:8:\d+ invalid YAML: nested more than 100 levels deep$/),
    ]);
  });

  it("30,000 levels of block sequences with an anchor in the file: the same issue", () => {
    const r = parse(`${FARGATE_JOB}  tags: &t { a: b }\nlocal:\n${"- ".repeat(30_000)}x\n`);
    expect(r.jobs).toEqual([]);
    expect(lines(r)).toEqual([
      expect.stringMatching(/^jobs\/report\.yml:10:\d+ invalid YAML: nested more than 100 levels deep$/),
    ]);
  });
});
