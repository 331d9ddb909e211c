/*
 * Sample events for tests: the generated task events (gen/task-events.ts, shared with the benchmarks) and,
 * test-only, API Gateway requests and a just-launched run.
 */
import { loadFixture } from "../../gen/task-events.ts";
import type { Run } from "../../src/runs/model.ts";

export * from "../../gen/task-events.ts";

export type ApiGatewayEvent = Record<string, unknown> & { requestContext: Record<string, unknown> };

/** The HTTP API 2.0 fixture as a request `method path` with `body`, signed by an IAM user (the deployed auth). */
export function apiGatewayV2(method: string, path: string, body?: string): ApiGatewayEvent {
  const e = loadFixture<ApiGatewayEvent>("apigw-http-v2");
  e.rawPath = path;
  e.rawQueryString = "";
  e.queryStringParameters = undefined;
  e.body = body;
  // A body comes with its JSON content type, as every client of the API sends it (others get 415).
  if (body !== undefined) e.headers = { ...(e.headers as object), "content-type": "application/json" };
  e.requestContext.http = { ...(e.requestContext.http as object), method, path };
  e.requestContext.authorizer = { iam: { userArn: "arn:aws:iam::111122223333:user/alice" } };
  return e;
}

/** The REST API proxy 1.0 fixture as a request `method path` with `body`. */
export function apiGatewayV1(method: string, path: string, body?: string): ApiGatewayEvent {
  const e = loadFixture<ApiGatewayEvent>("apigw-rest-proxy-v1");
  e.httpMethod = method;
  e.path = path;
  e.resource = path;
  e.body = body ?? null;
  if (body !== undefined) e.headers = { ...(e.headers as object), "content-type": "application/json" };
  e.queryStringParameters = null;
  e.multiValueQueryStringParameters = null;
  return e;
}

/** A just-launched run, before any task event: the starting point the status handler merges events into. */
export const runFixture = (overrides: Partial<Run> = {}): Run => ({
  runId: "01JD0000000000000000000000",
  job: "nightly-report",
  status: "PENDING",
  trigger: {
    kind: "schedule",
    id: "c2a7b1f0-0000-4000-8000-000000000001",
    scheduledTime: "2020-01-23T17:57:00Z",
  },
  attempt: 1,
  createdAt: "2020-01-23T17:57:30.000Z",
  failures: [],
  tasks: [],
  ...overrides,
});
