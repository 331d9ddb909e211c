/**
 * A run request's body is JSON only when it says so (issue 20, item 2): a plain HTML form on any site can post
 * `text/plain`, `application/x-www-form-urlencoded` or `multipart/form-data` without a CORS preflight, so
 * those are never parsed as JSON; a 415 names the content type. A request without a body needs no type.
 */
import { ECSClient } from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { handleHttp } from "../../src/http/router.ts";
import type { HttpRequest } from "../../src/http/types.ts";
import { exampleJobs, placeAll, type TestDeps, testDeps } from "../launch/harness.ts";

const ecs = mockClient(ECSClient);
afterEach(() => {
  ecs.reset();
});
let deps: TestDeps;
beforeEach(() => {
  deps = testDeps(exampleJobs());
  placeAll(ecs);
});

let n = 0;
const post = (headers: Record<string, string>, body: string | undefined): HttpRequest => ({
  method: "POST",
  path: "/jobs/customer-export/runs",
  query: {},
  headers,
  body,
  requestId: `req-${++n}`,
  principal: "arn:aws:iam::111122223333:user/alice",
  time: Date.parse("2026-03-10T12:00:00Z"),
});

describe("the content type of a run request", () => {
  it.each([
    ["text/plain", '{"count":1}'],
    ["text/plain;charset=UTF-8", '{"count":1}'],
    ["application/x-www-form-urlencoded", '{"count":1}'],
    ["multipart/form-data; boundary=x", '{"count":1}'],
    ["application/octet-stream", '{"count":1}'],
    ["application/jsonp", '{"count":1}'],
    ["", '{"count":1}'],
  ])("refuses a body sent as %j with a 415 naming the content type", async (type, body) => {
    const headers: Record<string, string> = type ? { "content-type": type } : {};
    const res = await handleHttp(deps, post(headers, body));
    expect(res.status).toBe(415);
    const error = (JSON.parse(res.body) as { error: { code: string; field: string; message: string } }).error;
    expect(error.code).toBe("UnsupportedMediaType");
    expect(error.field).toBe("content-type");
    expect(error.message).toContain("application/json");
  });

  it.each([
    "application/json",
    "application/json; charset=utf-8",
    "Application/JSON",
    "application/vnd.api+json",
  ])("takes a body sent as %s", async (type) => {
    const res = await handleHttp(deps, post({ "content-type": type }, '{"count":1}'));
    expect(res.status).toBe(202);
  });

  it("needs no content type without a body", async () => {
    const res = await handleHttp(deps, post({}, undefined));
    expect(res.status).toBe(202);
  });
});
