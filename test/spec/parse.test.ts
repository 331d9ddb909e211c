import { describe, expect, it } from "vitest";
import { formatSpecIssue } from "../../src/errors.ts";
import { mergeDefaults, parseJobs } from "../../src/jobspec/parse.ts";
import { FARGATE_JOB, files, job } from "../support/spec.ts";

describe("parseJobs", () => {
  it("accepts a valid job and fills in defaults of the schema", () => {
    const j = job(FARGATE_JOB);
    expect(j.name).toBe("report");
    expect(j.file).toBe("jobs/report.yml");
    expect(j.spec.task.count).toBe(1);
    expect(j.spec.task.network?.assignPublicIp).toBe(false);
    expect(j.spec.policy.concurrency).toBe("allow");
    expect(j.spec.alerts.on).toEqual(["FAILED", "TIMED_OUT", "MISSED", "PAUSED"]);
    expect(j.spec.local).toEqual({ outcome: "succeed", durationSeconds: 2, exec: false });
  });

  it("takes the job name from `name` when given", () => {
    expect(job(`name: nightly\n${FARGATE_JOB}`).name).toBe("nightly");
  });

  it("merges defaults.yml under the job: maps deep, lists replaced, the job's value wins, null removes", () => {
    const defaults = `task:\n  cluster: shared\n  tags: { team: data, env: prod }\n  network:\n    subnets: [subnet-d1, subnet-d2]\n    securityGroups: [sg-d]\npolicy:\n  timeoutMinutes: 60\n`;
    const j = job(
      `task:\n  taskDefinition: t\n  launchType: FARGATE\n  tags: { env: dev }\n  network:\n    subnets: [subnet-own]\npolicy:\n  timeoutMinutes: null\n`,
      "report",
      defaults,
    );
    expect(j.spec.task.cluster).toBe("shared");
    expect(j.spec.task.tags).toEqual({ team: "data", env: "dev" });
    expect(j.spec.task.network?.subnets).toEqual(["subnet-own"]);
    expect(j.spec.task.network?.securityGroups).toEqual(["sg-d"]);
    expect(j.spec.policy.timeoutMinutes).toBeUndefined();
  });

  it("mergeDefaults never mutates its inputs", () => {
    const d = { a: { b: 1, c: [1] } };
    const j = { a: { c: [2] } };
    expect(mergeDefaults(d, j)).toEqual({ a: { b: 1, c: [2] } });
    expect(d).toEqual({ a: { b: 1, c: [1] } });
  });

  it("turns YAML scalars in environment and tags into strings, and a single command string into a list", () => {
    const j = job(
      `task:\n  taskDefinition: t\n  tags: { cost: 42 }\n  overrides:\n    containers:\n      - name: app\n        command: --verbose\n        environment: { PORT: 8080, DEBUG: true }\n`,
    );
    const c = j.spec.task.overrides?.containers[0];
    expect(c?.command).toEqual(["--verbose"]);
    expect(c?.environment).toEqual({ PORT: "8080", DEBUG: "true" });
    expect(j.spec.task.tags).toEqual({ cost: "42" });
  });

  it("reports all errors of all files in one pass", () => {
    const result = parseJobs(
      files({
        a: "task:\n  taskDefinition: t\n  count: 0\n  launchType: FARGTE\n",
        b: "task: {}\nextra: 1\n",
        c: FARGATE_JOB,
      }),
    );
    expect(result.jobs.map((j) => j.name)).toEqual(["c"]);
    expect(result.issues.map(formatSpecIssue)).toEqual([
      "jobs/a.yml:3:3 task.count: expected 1..10000, got 0",
      'jobs/a.yml:4:3 task.launchType: expected one of FARGATE | EC2 | EXTERNAL, got "FARGTE" (did you mean "FARGATE"?)',
      "jobs/b.yml:1:1 task.taskDefinition: required",
      'jobs/b.yml:2:1 extra: unknown key "extra"',
    ]);
  });

  it("rejects two files that name the same job", () => {
    const result = parseJobs(files({ a: `name: same\n${FARGATE_JOB}`, b: `name: same\n${FARGATE_JOB}` }));
    expect(result.jobs.map((j) => j.file)).toEqual(["jobs/a.yml"]);
    expect(result.issues.map(formatSpecIssue)).toEqual([
      'jobs/b.yml:1:1 name: job name "same" is already used by jobs/a.yml',
    ]);
  });

  it("reports a broken defaults.yml against defaults.yml", () => {
    const result = parseJobs(files({ a: FARGATE_JOB }), { file: "jobs/defaults.yml", text: "- a list\n" });
    expect(result.issues.map(formatSpecIssue)).toEqual([
      "jobs/defaults.yml:1:1 expected a map of job fields",
    ]);
  });
});
