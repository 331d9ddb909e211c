/**
 * Query parameters and headers named like Object.prototype's members reach the handler as what they are,
 * through the local server's API Gateway event and back (found by test/hardening/http-fuzz.test.ts: before,
 * `?constructor=x` arrived as "function Object() { [native code] },x" and `?__proto__=x` was lost).
 */
import { describe, expect, it } from "vitest";
import { matchRoute, toApiGatewayEvent } from "../../local/http/apigw.ts";
import { requestFromApiGateway } from "../../src/http/apigw.ts";

const eventFor = (rawQueryString: string, headers: Record<string, string>) => {
  const route = matchRoute("GET", "/jobs/report/runs");
  if (!route) throw new Error("no route");
  return toApiGatewayEvent({
    method: "GET",
    rawPath: "/jobs/report/runs",
    rawQueryString,
    headers,
    body: Buffer.alloc(0),
    route,
    requestId: "r-1",
    sourceIp: "127.0.0.1",
    host: "127.0.0.1:1",
    accountId: "000000000000",
    userArn: "arn:aws:iam::000000000000:user/local",
    now: new Date("2026-01-01T00:00:00Z"),
  });
};

describe("prototype-named query parameters and headers", () => {
  it("are own properties with their own values, duplicates joined", () => {
    const event = eventFor("constructor=x&__proto__=y&toString=z&limit=1&limit=2", {
      __proto__: "h",
      constructor: "c",
      "x-a": "1",
    } as Record<string, string>);
    const q = event.queryStringParameters ?? {};
    expect(Object.getPrototypeOf(q)).toBe(Object.prototype);
    expect(Object.entries(q)).toEqual([
      ["constructor", "x"],
      ["__proto__", "y"],
      ["toString", "z"],
      ["limit", "1,2"],
    ]);
    expect(Object.hasOwn(event.headers, "constructor")).toBe(true);
    expect(event.headers.constructor).toBe("c");

    const req = requestFromApiGateway(event);
    expect(req.query.constructor).toBe("x");
    expect(req.query.toString).toBe("z");
    expect(req.query.limit).toBe("1,2");
    expect(({} as Record<string, unknown>).y).toBeUndefined();
  });
});
