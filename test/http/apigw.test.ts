import { describe, expect, it } from "vitest";
import { requestFromApiGateway, toApiGatewayResult } from "../../src/http/apigw.ts";
import { loadFixture } from "../support/events.ts";

type Event = Record<string, unknown> & { requestContext: Record<string, unknown> };

describe("requestFromApiGateway", () => {
  it("reads an HTTP API 2.0 event", () => {
    expect(requestFromApiGateway(loadFixture("apigw-http-v2"))).toEqual({
      method: "POST",
      path: "/my/path",
      query: { parameter1: "value1,value2", parameter2: "value" },
      headers: { header1: "value1", header2: "value1,value2" },
      body: "Hello from Lambda",
      requestId: "id",
      time: 1583348638390,
    });
  });

  it("reads a REST API proxy 1.0 event", () => {
    expect(requestFromApiGateway(loadFixture("apigw-rest-proxy-v1"))).toEqual({
      method: "GET",
      path: "/my/path",
      query: { parameter1: "value1", parameter2: "value" },
      headers: { header1: "value1", header2: "value2" },
      body: "Hello from Lambda!",
      requestId: "id=",
      time: 1583349317135,
    });
  });

  it("takes the caller from the IAM authorizer (v2) or the identity (v1), never from headers", () => {
    const v2 = loadFixture<Event>("apigw-http-v2");
    v2.requestContext.authorizer = {
      iam: { userArn: "arn:aws:iam::111122223333:user/alice", callerId: "AIDA" },
    };
    v2.headers = { "x-principal": "arn:aws:iam::1:root" };
    expect(requestFromApiGateway(v2).principal).toBe("arn:aws:iam::111122223333:user/alice");
    const v1 = loadFixture<Event>("apigw-rest-proxy-v1");
    (v1.requestContext.identity as Record<string, unknown>).userArn =
      "arn:aws:sts::111122223333:assumed-role/ops/bob";
    expect(requestFromApiGateway(v1).principal).toBe("arn:aws:sts::111122223333:assumed-role/ops/bob");
    expect(requestFromApiGateway(loadFixture("apigw-rest-proxy-v1")).principal).toBeUndefined();
  });

  it("decodes base64 bodies and removes a named stage from the v2 path", () => {
    const v2 = loadFixture<Event>("apigw-http-v2");
    v2.body = Buffer.from('{"count":2}').toString("base64");
    v2.isBase64Encoded = true;
    v2.rawPath = "/prod/jobs/report/runs";
    v2.requestContext.stage = "prod";
    const req = requestFromApiGateway(v2);
    expect(req.body).toBe('{"count":2}');
    expect(req.path).toBe("/jobs/report/runs");
  });

  it("refuses events of other sources", () => {
    expect(() => requestFromApiGateway(loadFixture("scheduled-event"))).toThrow(/not an API Gateway/);
  });

  it("answers in the proxy result format", () => {
    expect(toApiGatewayResult({ status: 202, headers: { a: "b" }, body: "{}" })).toEqual({
      statusCode: 202,
      headers: { a: "b" },
      body: "{}",
      isBase64Encoded: false,
    });
  });
});
