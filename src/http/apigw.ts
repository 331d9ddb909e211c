/**
 * API Gateway events (HTTP API payload 2.0, REST proxy 1.0) to an HttpRequest, and an HttpResponse back to
 * the proxy result both formats accept. Authentication is API Gateway's (IAM on every route); the caller's
 * identity is read from the request context it fills in, never from headers.
 */
import { ValidationError } from "../errors.ts";
import { ApiGatewayV1EventSchema } from "../triggers/apigw-v1.ts";
import { ApiGatewayV2EventSchema } from "../triggers/apigw-v2.ts";
import type { HttpRequest, HttpResponse } from "./types.ts";

export interface ApiGatewayResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: false;
}

const lowerCase = (headers: Record<string, string | null> | null | undefined) =>
  Object.fromEntries(
    Object.entries(headers ?? {}).flatMap(([k, v]) => (v === null ? [] : [[k.toLowerCase(), v]])),
  );

const bodyText = (body: string | null | undefined, base64: boolean | null | undefined) =>
  body == null ? undefined : base64 ? Buffer.from(body, "base64").toString("utf8") : body;

const nonNull = (q: Record<string, string | null> | null | undefined) =>
  Object.fromEntries(Object.entries(q ?? {}).flatMap(([k, v]) => (v === null ? [] : [[k, v]])));

/** Removes a named stage from a v2 rawPath (`/prod/jobs` → `/jobs`); `$default` has none. */
function withoutStage(path: string, stage: string | undefined): string {
  if (!stage || stage === "$default") return path;
  const prefix = `/${stage}`;
  return path === prefix ? "/" : path.startsWith(`${prefix}/`) ? path.slice(prefix.length) : path;
}

export function requestFromApiGateway(event: unknown): HttpRequest {
  const v2 = ApiGatewayV2EventSchema.safeParse(event);
  if (v2.success) {
    const e = v2.data;
    const iam = e.requestContext.authorizer?.iam;
    const principal = iam?.userArn ?? iam?.callerId ?? undefined;
    return {
      method: e.requestContext.http.method,
      path: withoutStage(e.rawPath, e.requestContext.stage),
      query: { ...e.queryStringParameters },
      headers: lowerCase(e.headers),
      body: bodyText(e.body, e.isBase64Encoded),
      requestId: e.requestContext.requestId,
      ...(principal && { principal }),
      ...(e.requestContext.timeEpoch !== undefined && { time: e.requestContext.timeEpoch }),
    };
  }
  const v1 = ApiGatewayV1EventSchema.safeParse(event);
  if (v1.success) {
    const e = v1.data;
    const id = e.requestContext.identity;
    const principal = id?.userArn ?? id?.caller ?? id?.user ?? undefined;
    return {
      method: e.httpMethod,
      path: e.path,
      query: nonNull(e.queryStringParameters),
      headers: lowerCase(e.headers),
      body: bodyText(e.body, e.isBase64Encoded),
      requestId: e.requestContext.requestId,
      ...(principal && { principal }),
      ...(e.requestContext.requestTimeEpoch !== undefined && { time: e.requestContext.requestTimeEpoch }),
    };
  }
  throw new ValidationError("not an API Gateway proxy event (payload 1.0 or 2.0)", { field: "event" });
}

export const toApiGatewayResult = (res: HttpResponse): ApiGatewayResult => ({
  statusCode: res.status,
  headers: res.headers,
  body: res.body,
  isBase64Encoded: false,
});
