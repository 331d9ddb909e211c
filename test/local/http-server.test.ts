import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { APIGatewayProxyEventV2WithIAMAuthorizer } from "aws-lambda";
import yaml from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalAlert } from "../../local/aws/alerts.ts";
import { renderPage } from "../../local/dashboard/layout.ts";
import { renderOverviewMain } from "../../local/dashboard/overview.ts";
import { API_ROUTES, matchRoute } from "../../local/http/apigw.ts";
import { tokenMatches } from "../../local/http/auth.ts";
import { type DashboardData, escapeHtml } from "../../local/http/dashboard.ts";
import { type LocalHttpServer, startHttpApi } from "../../local/http/http-api.ts";
import { requestFromApiGateway } from "../../src/http/apigw.ts";
import type { Run } from "../../src/runs/model.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const TOKEN = "s3cret-token";
const EVIL = `<img src=x onerror="alert(1)">`;

const evilRun: Run = {
  runId: "20260101T000000Z-deadbeef",
  job: "report",
  status: "FAILED",
  trigger: { kind: "http", id: "r" },
  attempt: 1,
  createdAt: "2026-01-01T00:00:00.000Z",
  stoppedAt: "2026-01-01T00:00:02.000Z",
  hint: `check the image ${EVIL}`,
  failures: [],
  tasks: [
    {
      taskArn: "arn:aws:ecs:eu-west-1:000000000000:task/jobs/abc",
      lastStatus: "STOPPED",
      stopCode: "EssentialContainerExited",
      stoppedReason: `Essential container in task exited ${EVIL}`,
      containers: [{ name: "app", exitCode: 3 }],
    },
  ],
};

const data = (): DashboardData => ({
  jobs: [
    {
      name: "report",
      description: EVIL,
      triggers: ["schedule", "http"],
      schedule: {
        expression: "cron(0 3 * * ? *)",
        timezone: "Europe/Paris",
        state: "ENABLED",
        summary: `At 03:00 ${EVIL}`,
      },
      nextFireTimes: ["2026-01-02T03:00:00+01:00"],
      target: "FARGATE reports/report:7 x1",
      local: "exit:3, 2 s",
    },
  ],
  runs: [evilRun],
  alerts: [],
  now: new Date("2026-01-01T00:00:05Z"),
  ecsUrl: "http://127.0.0.1:1",
});

describe("the local HTTP API server", () => {
  let server: LocalHttpServer;
  const events: APIGatewayProxyEventV2WithIAMAuthorizer[] = [];
  const alerts: LocalAlert[] = [
    { id: "1", receivedAt: "2026-01-01T00:00:03Z", channel: "eventbridge", kind: "FAILED", job: "report" },
  ];

  beforeAll(async () => {
    server = await startHttpApi({
      port: 0,
      token: TOKEN,
      api: async (event) => {
        events.push(event);
        if (event.rawPath === "/jobs/boom") throw new Error("handler crashed");
        return { statusCode: 202, headers: { "content-type": "application/json" }, body: '{"ok":true}' };
      },
      dashboard: async () => data(),
      alerts: () => alerts,
      accountId: "111122223333",
      userArn: "arn:aws:iam::111122223333:user/ecs-jobs-local",
      now: () => new Date("2026-01-01T00:00:00Z"),
      log: { info: () => {}, error: () => {} },
      bodyLimit: 1024,
    });
  });
  afterAll(() => server.close());

  const auth = { authorization: `Bearer ${TOKEN}` };

  it("answers 401 with a JSON error without the token, or with a wrong one", async () => {
    for (const headers of [{}, { authorization: "Bearer nope" }, { authorization: TOKEN }]) {
      const res = await fetch(`${server.url}/jobs`, { headers });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: { code: "Unauthorized", message: expect.any(String) } });
    }
    expect((await fetch(`${server.url}/?token=nope`)).status).toBe(401);
    expect(events).toHaveLength(0);
  });

  it("hands a route to the function as an API Gateway 2.0 event the http handler reads", async () => {
    const res = await fetch(`${server.url}/jobs/report/runs?x=1&x=2&token=${TOKEN}`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json", "x-trace": "t" },
      body: JSON.stringify({ count: 2 }),
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ ok: true });
    const event = events.at(-1) as APIGatewayProxyEventV2WithIAMAuthorizer;
    expect(event).toMatchObject({
      version: "2.0",
      routeKey: "POST /jobs/{name}/runs",
      rawPath: "/jobs/report/runs",
      rawQueryString: "x=1&x=2",
      queryStringParameters: { x: "1,2" },
      pathParameters: { name: "report" },
      isBase64Encoded: false,
      body: '{"count":2}',
      requestContext: { http: { method: "POST", path: "/jobs/report/runs" }, stage: "$default" },
    });
    // The token is the stand-in for IAM auth; it never reaches the function.
    expect(JSON.stringify(event)).not.toContain(TOKEN);
    // The production adapter reads it as the request it is.
    const req = requestFromApiGateway(event);
    expect(req).toMatchObject({
      method: "POST",
      path: "/jobs/report/runs",
      body: '{"count":2}',
      principal: "arn:aws:iam::111122223333:user/ecs-jobs-local",
      requestId: event.requestContext.requestId,
    });
    expect(req.headers["x-trace"]).toBe("t");
  });

  it("rejects bodies over the limit with 413, unknown routes with 404, and a crashed function with 500", async () => {
    const big = await fetch(`${server.url}/jobs/report/runs`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: "x".repeat(2048),
    });
    expect(big.status).toBe(413);
    const unknown = await fetch(`${server.url}/nope`, { headers: auth });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe("NotFound");
    const wrongMethod = await fetch(`${server.url}/runs/abc`, { method: "DELETE", headers: auth });
    expect(wrongMethod.status).toBe(404);
    const crash = await fetch(`${server.url}/jobs/boom`, { headers: auth });
    expect(crash.status).toBe(500);
    expect(await crash.json()).toEqual({
      error: { code: "InternalError", message: "Internal Server Error" },
    });
  });

  it("serves the dashboard through the ?token= exchange, and the captured alerts", async () => {
    const exchange = await fetch(`${server.url}/?token=${TOKEN}`, { redirect: "manual" });
    expect(exchange.status).toBe(303);
    const cookie = (exchange.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const page = await fetch(`${server.url}/`, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(page.headers.get("content-security-policy")).toMatch(/script-src 'nonce-/);
    const html = await page.text();
    expect(html).toContain("20260101T000000Z-deadbeef");
    expect(html).toContain("FAILED");
    const partial = await (await fetch(`${server.url}/?partial=1`, { headers: auth })).text();
    expect(partial.startsWith('<main id="main"')).toBe(true);
    const listed = await (await fetch(`${server.url}/alerts`, { headers: auth })).json();
    expect(listed).toEqual({ alerts });
  });
});

describe("the dashboard page", () => {
  it("escapes every text it shows: no markup from job descriptions, stop reasons or hints", () => {
    const html = renderPage({
      title: "t",
      main: renderOverviewMain(data()),
      nonce: "n0nce",
      csrf: "c",
      partialUrl: "/?partial=1",
    });
    expect(html).not.toContain(EVIL);
    expect(html).toContain(escapeHtml(EVIL));
    // The only scripts are the page's own, carrying the nonce.
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).toContain('<script nonce="n0nce">');
    expect(html).toContain("app=3");
    expect(html).toContain("EssentialContainerExited");
    expect(html).toContain(`At 03:00 ${escapeHtml(EVIL)}`);
  });
});

describe("routes and auth", () => {
  it("serves exactly the routes serverless.yml gives the http function", () => {
    const doc = yaml.load(readFileSync(join(ROOT, "serverless.yml"), "utf8")) as {
      functions: { http: { events: { httpApi: { method: string; path: string } }[] } };
    };
    const declared = doc.functions.http.events.map((e) => `${e.httpApi.method} ${e.httpApi.path}`).sort();
    expect(API_ROUTES.map((r) => `${r.method} ${r.path}`).sort()).toEqual(declared);
  });

  it("matches paths like API Gateway, decoding path parameters", () => {
    expect(matchRoute("GET", "/jobs/a%2Db")).toEqual({
      routeKey: "GET /jobs/{name}",
      pathParameters: { name: "a-b" },
    });
    expect(matchRoute("GET", "/jobs/")).toBeUndefined();
    expect(matchRoute("PUT", "/jobs")).toBeUndefined();
  });

  it("compares tokens whatever their length", () => {
    expect(tokenMatches("abc", "abc")).toBe(true);
    expect(tokenMatches("abc", "abcd")).toBe(false);
    expect(tokenMatches("abc", "")).toBe(false);
    expect(tokenMatches("abc", undefined)).toBe(false);
  });
});
