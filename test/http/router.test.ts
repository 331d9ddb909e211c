import { DescribeTasksCommand, ECSClient, ListTasksCommand, RunTaskCommand } from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { handleHttp } from "../../src/http/router.ts";
import type { HttpOptions, HttpRequest } from "../../src/http/types.ts";
import { awsError, ecsTask, exampleJobs, placeAll, type TestDeps, testDeps } from "../launch/harness.ts";
import { taskLifecycle } from "../support/events.ts";
import { FARGATE_JOB, job } from "../support/spec.ts";

const ecs = mockClient(ECSClient);
afterEach(() => {
  ecs.reset();
});

/** HTTP-enabled, concurrency forbid: for the 409. */
const guarded = job(
  `${FARGATE_JOB}  overrides:\n    containers:\n      - name: app\nhttp:\n  allowOverrides: [environment.*]\npolicy:\n  concurrency: forbid\n`,
  "guarded",
);

let deps: TestDeps;
let n = 0;
beforeEach(() => {
  deps = testDeps([...exampleJobs(), guarded]);
  placeAll(ecs);
});

const request = (
  method: string,
  path: string,
  body?: unknown,
  query: Record<string, string> = {},
): HttpRequest => ({
  method,
  path,
  query,
  headers: { "content-type": "application/json" },
  body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  requestId: `req-${++n}`,
  principal: "arn:aws:iam::111122223333:user/alice",
  time: Date.parse("2026-03-10T12:00:00Z"),
});

async function call(
  method: string,
  path: string,
  body?: unknown,
  query?: Record<string, string>,
  options?: HttpOptions,
) {
  const res = await handleHttp(deps, request(method, path, body, query), options);
  return {
    ...res,
    json: JSON.parse(res.body) as Record<string, unknown> & { error?: Record<string, unknown> },
  };
}

describe("GET routes", () => {
  it("GET /jobs lists every job with triggers and next fire times", async () => {
    const res = await call("GET", "/jobs");
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    const jobs = res.json.jobs as { name: string; triggers: string[]; nextFireTimes: string[] }[];
    expect(jobs.map((j) => j.name).sort()).toEqual(deps.catalog.jobs.map((j) => j.name).sort());
    const nightly = jobs.find((j) => j.name === "nightly-report");
    expect(nightly?.triggers).toEqual(["schedule"]);
    expect(nightly?.nextFireTimes).toEqual(["2026-03-11T03:00:00+01:00"]);
  });

  it("GET /jobs/{name} gives the spec, the next fire times and the last runs", async () => {
    await call("POST", "/jobs/customer-export/runs", {});
    const res = await call("GET", "/jobs/customer-export");
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ name: "customer-export", triggers: ["http"], nextFireTimes: [] });
    expect((res.json.spec as { task: { taskDefinition: string } }).task.taskDefinition).toBe(
      "customer-export",
    );
    expect(res.json.spec).not.toHaveProperty("local");
    expect((res.json.runs as unknown[]).length).toBe(1);
    const nightly = await call("GET", "/jobs/nightly-report");
    expect(nightly.json.nextFireTimes).toHaveLength(5);
  });

  it("GET /jobs/{name}/runs?limit=N pages newest first", async () => {
    for (let i = 0; i < 3; i++) await call("POST", "/jobs/customer-export/runs", {});
    const page = await call("GET", "/jobs/customer-export/runs", undefined, { limit: "2" });
    expect(page.status).toBe(200);
    const runs = page.json.runs as { runId: string; createdAt: string }[];
    expect(runs).toHaveLength(2);
    expect(typeof page.json.next).toBe("string");
    const rest = await call("GET", "/jobs/customer-export/runs", undefined, {
      limit: "2",
      next: page.json.next as string,
    });
    expect((rest.json.runs as unknown[]).length).toBe(1);
    for (const limit of ["0", "101", "abc", "1.5", "-1"]) {
      const bad = await call("GET", "/jobs/customer-export/runs", undefined, { limit });
      expect(bad.status).toBe(400);
      expect(bad.json.error?.field).toBe("limit");
    }
  });

  it("GET /runs/{runId} gives one run; unknown or malformed ids are 404", async () => {
    const created = await call("POST", "/jobs/customer-export/runs", {});
    const runId = created.json.runId as string;
    const res = await call("GET", `/runs/${runId}`);
    expect(res.status).toBe(200);
    expect(res.json).toEqual(created.json);
    expect((await call("GET", "/runs/20260101T000000Z-00000000")).status).toBe(404);
    expect((await call("GET", "/runs/..%2F..%2Fetc%2Fpasswd")).status).toBe(404);
  });

  it("GET /runs/{runId} shows a finished Fargate run's estimated cost", async () => {
    const created = await call("POST", "/jobs/customer-export/runs", {});
    const runId = created.json.runId as string;
    const [task, ...others] = created.json.tasks as { taskArn: string }[];
    expect(others).toEqual([]);
    const events = taskLifecycle({ taskArn: task?.taskArn ?? "" });
    await deps.ledger.applyTaskEvents(
      runId,
      events.map((e) => e.detail),
    );
    const res = await call("GET", `/runs/${runId}`);
    expect(res.json.status).toBe("SUCCEEDED");
    // The fixture task: 0.25 vCPU, 0.5 GB, billed 68 s (image pull to stop): 17 vCPU-s, 34 GB-s;
    // (17 × 0.04048 + 34 × 0.004445) / 3600 = $0.000233 at the us-east-1/us-west-2 Fargate price.
    expect(res.json.cost).toEqual({
      vcpuSeconds: 17,
      gbSeconds: 34,
      usd: 0.000233,
      pricing: { source: "estimate", region: expect.stringMatching(/^us-/), asOf: expect.any(String) },
    });
  });

  it("unknown jobs, path tricks and unknown routes are 404; wrong methods 405", async () => {
    for (const path of [
      "/jobs/nope",
      "/jobs/..",
      "/jobs/../jobs",
      "/jobs/%2E%2E%2Fsecrets",
      "/jobs/%E0%A4%A",
      "/nope",
    ]) {
      const res = await call("GET", path);
      expect(res.status, path).toBe(404);
      expect(res.json.error?.code).toBe("NotFound");
    }
    const res = await call("DELETE", "/jobs");
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe("GET");
  });
});

describe("POST /jobs/{name}/runs", () => {
  it("202 with the run; the trigger is the request id and the caller; overrides reach RunTask", async () => {
    const res = await call("POST", "/jobs/customer-export/runs", {
      overrides: { environment: { CUSTOMER_ID: "cust-0001" }, command: ["python", "export.py", "--full"] },
      count: 2,
    });
    expect(res.status).toBe(202);
    expect(res.json).toMatchObject({
      job: "customer-export",
      status: "PENDING",
      trigger: { kind: "http", id: `req-${n}`, by: "arn:aws:iam::111122223333:user/alice" },
      expectedTasks: 2,
    });
    expect(res.headers.location).toBe(`/runs/${res.json.runId}`);
    const input = ecs.commandCalls(RunTaskCommand)[0]?.args[0].input;
    expect(input?.count).toBe(2);
    expect(input?.overrides?.containerOverrides).toEqual([
      {
        name: "export",
        command: ["python", "export.py", "--full"],
        environment: [
          { name: "CUSTOMER_ID", value: "cust-0001" },
          { name: "FORMAT", value: "csv" },
        ],
      },
    ]);
    // Override values are never logged, names are.
    const logged = JSON.stringify(deps.log.lines);
    expect(logged).not.toContain("cust-0001");
    expect(logged).toContain("overrides.environment.CUSTOMER_ID");
  });

  it("an empty body launches the job as specified", async () => {
    for (const body of [undefined, "", "{}"]) {
      const res = await call("POST", "/jobs/legacy-import/runs", body);
      expect(res.status).toBe(202);
    }
  });

  it("the same request id is one run", async () => {
    const req = request("POST", "/jobs/customer-export/runs", {});
    const a = JSON.parse((await handleHttp(deps, req)).body) as { runId: string };
    const b = JSON.parse((await handleHttp(deps, req)).body) as { runId: string };
    expect(b.runId).toBe(a.runId);
    expect(deps.ledger.runs.size).toBe(1);
  });

  it("404 for an unknown job, 403 for a job without http", async () => {
    const unknown = await call("POST", "/jobs/nope/runs", {});
    expect(unknown.status).toBe(404);
    const forbidden = await call("POST", "/jobs/nightly-report/runs", {});
    expect(forbidden.status).toBe(403);
    expect(forbidden.json.error).toEqual({
      code: "Forbidden",
      message: "job nightly-report cannot be started over HTTP (its spec has no http section)",
    });
    expect(ecs).toHaveReceivedCommandTimes(RunTaskCommand, 0);
  });

  it.each([
    ["invalid JSON", "{ not json", "body", /not valid JSON/],
    ["not an object", "[1,2]", "body", /expected a JSON object/],
    ["an unknown key", { overides: {} }, "overides", /unknown key \(did you mean "overrides"\?\)/],
    ["an unknown nested key", { overrides: { comand: ["x"] } }, "overrides.comand", /did you mean "command"/],
    ["count 0", { count: 0 }, "count", /1\.\.10000/],
    ["count 10001", { count: 10001 }, "count", /1\.\.10000/],
    ["count 1.5", { count: 1.5 }, "count", /integer/],
    ["count as text", { count: "3" }, "count", /integer/],
    [
      "a bad environment name",
      { overrides: { environment: { "1BAD": "x" } } },
      "overrides.environment.1BAD",
      /variable name/,
    ],
    [
      "a non-string value",
      { overrides: { environment: { CUSTOMER_ID: 5 } } },
      "overrides.environment.CUSTOMER_ID",
      /string/,
    ],
    [
      "an override outside the allowlist",
      { overrides: { environment: { SECRET: "x" } } },
      "overrides.environment.SECRET",
      /does not list it/,
    ],
    ["cpu outside the allowlist", { overrides: { cpu: "4096" } }, "overrides.cpu", /does not list it/],
    [
      "a container outside the allowlist",
      { overrides: { containers: { sidecar: { command: ["sh"] } } } },
      "overrides.containers.sidecar.command",
      /does not list it/,
    ],
    [
      "__proto__",
      '{"overrides":{"environment":{"__proto__":{"polluted":"yes"}}}}',
      "overrides.environment.__proto__",
      /not allowed/,
    ],
    ["constructor", '{"constructor":{"prototype":{"polluted":"yes"}}}', "constructor", /not allowed/],
  ])("400 for %s, naming the field", async (_what, body, field, message) => {
    const res = await call("POST", "/jobs/customer-export/runs", body);
    expect(res.status).toBe(400);
    expect(res.json.error?.code).toBe("ValidationError");
    expect(res.json.error?.field).toBe(field);
    expect(res.json.error?.message).toMatch(message);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(ecs).toHaveReceivedCommandTimes(RunTaskCommand, 0);
  });

  it("400 for any override of a job with http: true (empty allowlist)", async () => {
    const res = await call("POST", "/jobs/legacy-import/runs", { count: 2 });
    expect(res.status).toBe(400);
    expect(res.json.error?.field).toBe("count");
  });

  it("400 when the merged overrides exceed the 8192 characters ECS allows", async () => {
    const environment = Object.fromEntries(
      Array.from({ length: 90 }, (_, i) => [`VAR_${i}`, "x".repeat(100)]),
    );
    const res = await call("POST", "/jobs/guarded/runs", { overrides: { environment } });
    expect(res.status).toBe(400);
    expect(res.json.error?.field).toBe("overrides");
    expect(res.json.error?.message).toMatch(/8192/);
  });

  it("413 for a body over 64 KiB", async () => {
    const res = await call("POST", "/jobs/customer-export/runs", { pad: "x".repeat(70_000) });
    expect(res.status).toBe(413);
    expect(res.json.error?.code).toBe("PayloadTooLarge");
  });

  it("409 when the job's concurrency forbids a second run; the run is recorded SKIPPED", async () => {
    const active = ecsTask({
      startedBy: "ecs-jobs/guarded/20260309T010000Z-0badc0de",
      lastStatus: "RUNNING",
    });
    ecs.on(ListTasksCommand).resolves({ taskArns: [active.taskArn as string] });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [active] });
    const res = await call("POST", "/jobs/guarded/runs", {});
    expect(res.status).toBe(409);
    expect(res.json.error?.code).toBe("Conflict");
    expect(res.json.error?.message).toMatch(/SKIPPED/);
    expect([...deps.ledger.runs.values()].map((r) => r.status)).toEqual(["SKIPPED"]);
  });

  it("an AWS fault is a generic 503 (logged), a bug a generic 500: nothing internal leaks", async () => {
    const create = deps.ledger.create.bind(deps.ledger);
    deps.ledger.create = () => Promise.reject(awsError("ServerException", 500, "internal detail 42"));
    const fault = await call("POST", "/jobs/customer-export/runs", {});
    deps.ledger.create = create;
    expect(fault.status).toBe(503);
    expect(fault.body).not.toContain("internal detail 42");
    expect(deps.log.lines.some((l) => l.level === "error")).toBe(true);

    deps.ledger.get = () => Promise.reject(new TypeError("secret stack"));
    const bug = await call("GET", "/runs/20260101T000000Z-00000000");
    expect(bug.status).toBe(500);
    expect(bug.json.error).toEqual({ code: "InternalError", message: "internal error" });
  });

  it("a RunTask fault past the SDK's retries is a 202 with the FAILED run, naming the error", async () => {
    ecs.on(RunTaskCommand).rejects(awsError("ServerException", 500, "Service Unavailable"));
    const res = await call("POST", "/jobs/customer-export/runs", {});
    expect(res.status).toBe(202);
    expect(res.json).toMatchObject({ status: "FAILED", failures: [{ reason: "ServerException" }] });
  });

  it("never answers 5xx to hostile input", async () => {
    const bodies: unknown[] = [
      "null",
      "true",
      '"text"',
      "1e309",
      `${"[".repeat(30_000)}${"]".repeat(30_000)}`,
      `${'{"overrides":'.repeat(2_000)}{}${"}".repeat(2_000)}`,
      '{"overrides":{"environment":{"A":"\\u0000\\n\\r\\u001b[31m"}}}',
      '{"overrides":{"containers":{"../x":{"command":["a"]}}}}',
      '{"overrides":{"containers":{"toString":{"command":["a"]}}}}',
      '{"overrides":{"containers":[]}}',
      '{"overrides":{"command":"rm -rf /"}}',
      '{"overrides":{"command":[]}}',
      '{"overrides":{"cpu":{"$gt":1}}}',
      '{"count":-1}',
      '{"count":1e3}',
      '{"count":null}',
      "\uFEFF{}",
      "\u0000",
      '{"a":1,"a":2}',
      { overrides: { environment: { CUSTOMER_ID: "x".repeat(9000) } } },
    ];
    for (const body of bodies) {
      for (const name of [
        "customer-export",
        "legacy-import",
        "guarded",
        "nightly-report",
        "..",
        "x".repeat(300),
      ]) {
        const res = await call("POST", `/jobs/${name}/runs`, body);
        expect(res.status, `${name} ${String(body).slice(0, 40)}`).toBeLessThan(500);
        if (res.status >= 400) expect(Object.keys(res.json)).toEqual(["error"]);
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("POST /jobs/{name}/resume", () => {
  it("501 with a clear error until pause/resume is wired in", async () => {
    const res = await call("POST", "/jobs/nightly-report/resume");
    expect(res.status).toBe(501);
    expect(res.json.error?.code).toBe("NotImplemented");
  });

  it("calls resumeJob with the job when given", async () => {
    const seen: string[] = [];
    const resumeJob: NonNullable<HttpOptions["resumeJob"]> = async (_d, j) => {
      seen.push(j.name);
      return { job: j.name, state: "ENABLED" };
    };
    const res = await call("POST", "/jobs/nightly-report/resume", undefined, {}, { resumeJob });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ job: "nightly-report", state: "ENABLED" });
    expect(seen).toEqual(["nightly-report"]);
    expect((await call("POST", "/jobs/nope/resume", undefined, {}, { resumeJob })).status).toBe(404);
  });
});
