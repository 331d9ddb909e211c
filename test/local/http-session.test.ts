/**
 * Cross-site requests to the local HTTP API (issue 20, item 2). API clients authenticate with
 * `Authorization: Bearer` only; `?token=` is taken once, by the dashboard page, and exchanged for an HttpOnly,
 * SameSite=Strict session cookie (303 to `/`, the token leaves the URL); a state-changing request that a
 * cookie authenticates must come from the dashboard's own origin; bodies are JSON only with a JSON type.
 */
import type { APIGatewayProxyEventV2WithIAMAuthorizer } from "aws-lambda";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { DashboardData } from "../../local/http/dashboard.ts";
import { type LocalHttpServer, startHttpApi } from "../../local/http/http-api.ts";

const TOKEN = "s3cret-token-0123456789";

const data = (): DashboardData => ({
  jobs: [],
  runs: [],
  alerts: [],
  now: new Date("2026-01-01T00:00:05Z"),
  ecsUrl: "http://127.0.0.1:1",
});

let server: LocalHttpServer;
const events: APIGatewayProxyEventV2WithIAMAuthorizer[] = [];

beforeAll(async () => {
  server = await startHttpApi({
    port: 0,
    token: TOKEN,
    api: async (event) => {
      events.push(event);
      return { statusCode: 202, headers: { "content-type": "application/json" }, body: '{"ok":true}' };
    },
    dashboard: async () => data(),
    alerts: () => [],
    accountId: "111122223333",
    userArn: "arn:aws:iam::111122223333:user/ecs-jobs-local",
    now: () => new Date("2026-01-01T00:00:00Z"),
    log: { info: () => {}, error: () => {} },
  });
});
afterAll(() => server.close());
beforeEach(() => {
  events.length = 0;
});

/** The CSRF token the dashboard page hands its script. */
async function csrfOf(cookie: string): Promise<string> {
  const html = await (await fetch(`${server.url}/`, { headers: { cookie } })).text();
  return /<meta name="csrf-token" content="([^"]+)">/.exec(html)?.[1] ?? "";
}

/** The session cookie the token buys, as `name=value`. */
async function session(): Promise<string> {
  const res = await fetch(`${server.url}/?token=${TOKEN}`, { redirect: "manual" });
  const cookie = res.headers.get("set-cookie") ?? "";
  return cookie.split(";")[0] ?? "";
}

const runs = "/jobs/report/runs";
const JSON_BODY = { "content-type": "application/json" };

describe("the token in the URL", () => {
  it("is not accepted on API routes: a form on another site cannot use a leaked dashboard link", async () => {
    const res = await fetch(`${server.url}${runs}?token=${TOKEN}`, {
      method: "POST",
      headers: JSON_BODY,
      body: "{}",
    });
    expect(res.status).toBe(401);
    expect((await fetch(`${server.url}/jobs?token=${TOKEN}`)).status).toBe(401);
    expect((await fetch(`${server.url}/alerts?token=${TOKEN}`)).status).toBe(401);
    expect(events).toHaveLength(0);
  });

  it("is exchanged once on GET / for an HttpOnly, SameSite=Strict cookie, and leaves the URL", async () => {
    const res = await fetch(`${server.url}/?token=${TOKEN}`, { redirect: "manual" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/");
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).toMatch(/Path=\//i);
    expect(cookie).not.toContain(TOKEN);
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    // A wrong token buys nothing.
    const wrong = await fetch(`${server.url}/?token=nope`, { redirect: "manual" });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("set-cookie")).toBeNull();
  });

  it("is named per port: two stacks on one machine keep their own sessions", async () => {
    const cookie = await session();
    expect(cookie.startsWith(`ecs_jobs_session_${server.port}=`)).toBe(true);
  });
});

describe("the session cookie", () => {
  it("opens the dashboard, its refreshes and the read routes; the page carries no token", async () => {
    const cookie = await session();
    const page = await fetch(`${server.url}/`, { headers: { cookie } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).not.toContain(TOKEN);
    // The CSRF token (a meta tag) is no secret to the page; the API token never appears, nor any ?token=.
    expect(html).not.toMatch(/[?&]token=/i);
    expect((await fetch(`${server.url}/?partial=1`, { headers: { cookie } })).status).toBe(200);
    expect((await fetch(`${server.url}/jobs`, { headers: { cookie } })).status).toBe(202);
    expect((await fetch(`${server.url}/`, { headers: { cookie: `${cookie}x` } })).status).toBe(401);
  });

  it("authorizes a state-changing request only from the dashboard's own origin", async () => {
    const cookie = await session();
    const csrf = await csrfOf(cookie);
    const post = (headers: Record<string, string>) =>
      fetch(`${server.url}${runs}`, {
        method: "POST",
        headers: { cookie, ...JSON_BODY, "x-csrf-token": csrf, ...headers },
        body: "{}",
      });
    for (const headers of [
      { origin: "http://evil.example" },
      { origin: "null" },
      { origin: `http://localhost:${server.port + 1}` },
      { "sec-fetch-site": "cross-site" },
      { "sec-fetch-site": "same-site" },
      {},
    ]) {
      const res = await post(headers);
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("Forbidden");
    }
    expect(events).toHaveLength(0);
    expect((await post({ origin: server.url })).status).toBe(202);
    expect((await post({ origin: `http://localhost:${server.port}` })).status).toBe(202);
    expect((await post({ "sec-fetch-site": "same-origin" })).status).toBe(202);
    expect(events).toHaveLength(3);
  });

  it("also needs the page's CSRF token header and a JSON body type, even with the right Origin", async () => {
    const cookie = await session();
    const csrf = await csrfOf(cookie);
    expect(csrf).toMatch(/^[\w-]{20,}$/);
    const post = (headers: Record<string, string>, body = "{}") =>
      fetch(`${server.url}/runs/20260101T000000Z-deadbeef/stop`, {
        method: "POST",
        headers: { cookie, origin: server.url, ...headers },
        body,
      });
    const refused = [
      [{ ...JSON_BODY }, "x-csrf-token"],
      [{ ...JSON_BODY, "x-csrf-token": `${csrf}x` }, "x-csrf-token"],
      [{ ...JSON_BODY, "x-csrf-token": "" }, "x-csrf-token"],
      [{ "content-type": "text/plain", "x-csrf-token": csrf }, "content-type"],
      [{ "content-type": "application/x-www-form-urlencoded", "x-csrf-token": csrf }, "content-type"],
    ] as const;
    for (const [headers, field] of refused) {
      const res = await post(headers);
      expect(res.status, JSON.stringify(headers)).toBe(403);
      const error = ((await res.json()) as { error: { code: string; field: string; message: string } }).error;
      expect(error.code).toBe("Forbidden");
      expect(error.field).toBe(field);
    }
    // An empty body is no way around the JSON type either.
    const empty = await post({ "x-csrf-token": csrf }, "");
    expect(empty.status).toBe(403);
    expect(((await empty.json()) as { error: { message: string } }).error.message).toMatch(
      /application\/json/,
    );
    expect(events).toHaveLength(0);
    expect((await post({ ...JSON_BODY, "x-csrf-token": csrf })).status).toBe(202);
    expect(events).toHaveLength(1);
  });

  it("a bearer request needs no Origin: it is a program, not a page", async () => {
    const res = await fetch(`${server.url}${runs}`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, ...JSON_BODY },
      body: "{}",
    });
    expect(res.status).toBe(202);
  });
});

describe("request bodies", () => {
  it.each(["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""])(
    "a body sent as %j is refused with 415 before it reaches the function",
    async (type) => {
      const res = await fetch(`${server.url}${runs}`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, ...(type && { "content-type": type }) },
        body: '{"count":1}',
      });
      expect(res.status).toBe(415);
      const body = (await res.json()) as { error: { code: string; field: string } };
      expect(body.error).toMatchObject({ code: "UnsupportedMediaType", field: "content-type" });
      expect(events).toHaveLength(0);
    },
  );
});

describe("HEAD /", () => {
  it("answers as GET / does, without a body", async () => {
    const cookie = await session();
    const res = await fetch(`${server.url}/`, { method: "HEAD", headers: { cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await res.text()).toBe("");
    expect((await fetch(`${server.url}/`, { method: "HEAD" })).status).toBe(401);
  });
});
