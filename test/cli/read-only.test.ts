import { describe, expect, it } from "vitest";
import pkg from "../../package.json" with { type: "json" };
import { runTaskRequests } from "../../src/jobspec/requests.ts";
import { cli, cliProcess, jobsFolder } from "../support/cli.ts";
import { FARGATE_JOB, job } from "../support/spec.ts";

const NOW = new Date("2026-11-22T10:00:00Z");

describe("ecs-jobs validate", () => {
  it("exits 0 and counts the jobs when all specs are valid", async () => {
    const r = await cli(["validate"]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^\d+ job\(s\) valid\n$/);
    expect(r.code).toBe(0);
  });

  it("prints every problem as file:line:col path: message and exits 1", async () => {
    const dir = jobsFolder({
      "a.yml": "task:\n  taskDefinition: t\n  count: 0\n",
      "b.yml": "task: 3\n",
      "_draft.yml": "nonsense: [",
    });
    const r = await cli(["validate", "--jobs", dir], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr.split("\n").slice(0, 2)).toEqual([
      "a.yml:3:3 task.count: expected 1..10000, got 0",
      "b.yml:1:1 task: expected a map, got 3",
    ]);
  });

  it("--json gives the issues as data", async () => {
    const dir = jobsFolder({ "a.yml": "task:\n  taskDefinition: t\n  count: 0\n", "ok.yml": FARGATE_JOB });
    const r = await cli(["validate", "--jobs", dir, "--json"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({
      valid: false,
      jobs: ["ok"],
      issues: [
        { file: "a.yml", line: 3, column: 3, path: "task.count", message: "expected 1..10000, got 0" },
      ],
    });
  });

  it("exits 1 with a clear message when the folder does not exist", async () => {
    const r = await cli(["validate", "--jobs", "/nonexistent/jobs"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot read the jobs folder \/nonexistent\/jobs/);
  });
});

describe("ecs-jobs list", () => {
  it("prints one line per job with triggers, next fire time and target", async () => {
    const r = await cli(["list"], { now: NOW });
    expect(r.code).toBe(0);
    const line = r.stdout.split("\n").find((l) => l.startsWith("nightly-report"));
    expect(line).toMatch(
      /schedule cron\(0 3 \* \* \? \*\) Europe\/Paris +2026-11-23T03:00:00\+01:00 +FARGATE reports\/report:7 x1/,
    );
    expect(r.stdout).toMatch(/spot-crunch +schedule cron\(0 \* \* \* \? \*\) America\/New_York/);
    expect(r.stdout).toMatch(/customer-export +http +- +FARGATE/);
    expect(r.stdout).toMatch(/node-warmup +instance-launch/);
  });

  it("--json lists summaries with translated expressions", async () => {
    const r = await cli(["list", "--json"], { now: NOW });
    const jobs = JSON.parse(r.stdout) as {
      name: string;
      schedule?: { awsExpression: string };
      nextFireTimes: string[];
    }[];
    const legacy = jobs.find((j) => j.name === "legacy-import");
    expect(legacy?.schedule?.awsExpression).toBe("rate(5 minutes)");
    expect(legacy?.nextFireTimes).toEqual(["2026-11-22T10:05:00+00:00"]);
  });
});

describe("ecs-jobs show", () => {
  it("prints exactly the requests the launcher builds, in order", async () => {
    const r = await cli(["show", "thumbnail-fanout", "--run-id", "20261122T030000Z-0123abcd"]);
    expect(r.code).toBe(0);
    const printed = JSON.parse(r.stdout);
    expect(
      printed.map((p: { operation: string; input: { count: number } }) => [p.operation, p.input.count]),
    ).toEqual([
      ["RunTask", 10],
      ["RunTask", 10],
      ["RunTask", 5],
    ]);
    const dir = (await import("../../src/catalog/read-dir.ts")).loadJobsDir("jobs");
    const fanout = dir.jobs.find((j) => j.name === "thumbnail-fanout");
    expect(fanout).toBeDefined();
    expect(printed).toEqual(
      JSON.parse(JSON.stringify(runTaskRequests(fanout!, "20261122T030000Z-0123abcd"))),
    );
  });

  it("shows StartTask for an instance-launch job", async () => {
    const r = await cli(["show", "node-warmup", "--run-id", "20261122T030000Z-0123abcd"]);
    const [req] = JSON.parse(r.stdout);
    expect(req.operation).toBe("StartTask");
    expect(req.input.containerInstances).toEqual(["<container-instance-arn>"]);
    expect(req.input.startedBy).toBe("ecs-jobs/20261122T030000Z-0123abcd");
  });

  it("exits 1 for an unknown job, with a suggestion", async () => {
    const r = await cli(["show", "nightly-reprot"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unknown job "nightly-reprot" \(did you mean "nightly-report"\?\)/);
  });

  it("exits 1 and shows the job's own problems when the named job is invalid", async () => {
    const dir = jobsFolder({ "bad.yml": "task:\n  taskDefinition: t\n  count: 0\n" });
    const r = await cli(["show", "bad", "--jobs", dir], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.yml:3:3 task\.count/);
  });
});

describe("ecs-jobs next", () => {
  it("prints the next N fire times in the job's zone, across a DST change", async () => {
    const r = await cli(["next", "nightly-report", "-n", "3", "--from", "2026-03-28T00:00:00Z"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      "2026-03-28T03:00:00+01:00\n2026-03-29T03:00:00+02:00\n2026-03-30T03:00:00+02:00\n",
    );
  });

  it("defaults to 5 times after now, and --json prints an array", async () => {
    const r = await cli(["next", "thumbnail-fanout", "--json"], { now: NOW });
    expect(JSON.parse(r.stdout)).toEqual([
      "2026-11-23T01:30:00+00:00",
      "2026-11-24T01:30:00+00:00",
      "2026-11-25T01:30:00+00:00",
      "2026-11-26T01:30:00+00:00",
      "2026-11-27T01:30:00+00:00",
    ]);
  });

  it("is a usage error (exit 2) to give a bad -n or --from", async () => {
    expect((await cli(["next", "nightly-report", "-n", "zero"])).code).toBe(2);
    const r = await cli(["next", "nightly-report", "--from", "yesterday"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--from expects an ISO 8601 date-time/);
  });

  it("exits 1 for a job without a schedule", async () => {
    const r = await cli(["next", "customer-export"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/has no schedule/);
  });
});

describe("usage, help and version", () => {
  it("exits 2 on an unknown command or option", async () => {
    expect((await cli(["frobnicate"])).code).toBe(2);
    expect((await cli(["validate", "--frob"])).code).toBe(2);
    expect((await cli(["show"])).code).toBe(2);
  });

  it("--help lists the commands and exits 0", async () => {
    const r = await cli(["--help"]);
    expect(r.code).toBe(0);
    for (const c of ["validate", "list", "show", "next", "schema"]) expect(r.stdout).toContain(c);
  });

  it("--version prints the package version", async () => {
    const r = await cli(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it("schema prints the JSON schema", async () => {
    const r = await cli(["schema"]);
    expect(JSON.parse(r.stdout).title).toBe("ecs-jobs job spec");
  });
});

describe("the real bin", () => {
  it("runs under the pinned Node with the right exit codes", () => {
    const ok = cliProcess(["validate"]);
    expect(ok.stdout).toMatch(/job\(s\) valid/);
    expect(ok.code).toBe(0);
    expect(cliProcess(["nope"]).code).toBe(2);
    const show = cliProcess(["show", "customer-export"]);
    expect(JSON.parse(show.stdout)[0].input.taskDefinition).toBe("customer-export");
  });

  it("uses the same translation as the core (sanity on one job)", () => {
    const j = job(FARGATE_JOB);
    expect(runTaskRequests(j, "r")[0]?.operation).toBe("RunTask");
  });
});
