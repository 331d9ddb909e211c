/**
 * Requests adapted to what API Gateway HTTP APIs hand Lambda (payload format 2.0), and the function's answer
 * back to HTTP, for the routes serverless.yml declares. Like API Gateway, a request that matches no route never
 * reaches the function. Docs: "Working with AWS Lambda proxy integrations for HTTP APIs"
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html).
 */
import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import type { APIGatewayProxyEventV2WithIAMAuthorizer } from "aws-lambda";

/** The routes of the http function in serverless.yml (a test keeps the two in step). */
export const API_ROUTES: readonly { method: string; path: string }[] = [
  { method: "GET", path: "/jobs" },
  { method: "GET", path: "/jobs/{name}" },
  { method: "POST", path: "/jobs/{name}/runs" },
  { method: "GET", path: "/jobs/{name}/runs" },
  { method: "GET", path: "/runs/{runId}" },
  { method: "POST", path: "/jobs/{name}/resume" },
  { method: "POST", path: "/jobs/{name}/pause" },
  { method: "POST", path: "/runs/{runId}/stop" },
  { method: "GET", path: "/runs/{runId}/logs" },
];

export interface RouteMatch {
  routeKey: string;
  pathParameters: Record<string, string>;
}

/** The route a request takes, as API Gateway picks it; undefined = API Gateway answers 404 itself. */
export function matchRoute(method: string, path: string): RouteMatch | undefined {
  const segments = path.split("/").slice(1);
  for (const route of API_ROUTES) {
    if (route.method !== method) continue;
    const parts = route.path.split("/").slice(1);
    if (parts.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const ok = parts.every((p, i) => {
      const seg = segments[i] ?? "";
      if (p.startsWith("{")) {
        if (!seg) return false;
        try {
          params[p.slice(1, -1)] = decodeURIComponent(seg);
        } catch {
          params[p.slice(1, -1)] = seg;
        }
        return true;
      }
      return p === seg;
    });
    if (ok) return { routeKey: `${route.method} ${route.path}`, pathParameters: params };
  }
  return undefined;
}

export interface EventContext {
  method: string;
  /** Path without the query string, as received (percent-encoded). */
  rawPath: string;
  /** Query string without the leading "?" (the dashboard's token already removed). */
  rawQueryString: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  route: RouteMatch;
  requestId: string;
  sourceIp: string;
  host: string;
  accountId: string;
  /** Who called: the local stack stands in for an IAM principal. */
  userArn: string;
  now: Date;
}

const TEXTUAL = /^(application\/(json|.*\+json|x-www-form-urlencoded|xml)|text\/)/i;

/** "12/Mar/2020:19:03:58 +0000", as in requestContext.time. */
function clfTime(d: Date): string {
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const p = (n: number) => String(n).padStart(2, "0");
  return `${p(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

export function toApiGatewayEvent(c: EventContext): APIGatewayProxyEventV2WithIAMAuthorizer {
  // Payload 2.0: header names lower-case, repeated headers joined with commas, cookies apart.
  // Collected in Maps, then made objects with fromEntries: a name such as `__proto__` or `constructor` is an
  // own property like any other, never an assignment to (or a lookup in) Object.prototype.
  const headerMap = new Map<string, string>();
  let cookies: string[] | undefined;
  for (const [name, value] of Object.entries(c.headers)) {
    if (value === undefined) continue;
    if (name === "cookie") {
      cookies = (Array.isArray(value) ? value.join("; ") : value).split(/;\s*/).filter(Boolean);
      continue;
    }
    headerMap.set(name, Array.isArray(value) ? value.join(",") : value);
  }
  const headers: Record<string, string> = Object.fromEntries(headerMap);
  const queryMap = new Map<string, string>();
  for (const [k, v] of new URLSearchParams(c.rawQueryString)) {
    const prev = queryMap.get(k);
    queryMap.set(k, prev === undefined ? v : `${prev},${v}`);
  }
  const query: Record<string, string> = Object.fromEntries(queryMap);
  const type = headers["content-type"] ?? "";
  const hasBody = c.body.length > 0;
  const base64 = hasBody && type !== "" && !TEXTUAL.test(type);
  const accessKey = "ASIALOCALSTACKKEY000";
  return {
    version: "2.0",
    routeKey: c.route.routeKey,
    rawPath: c.rawPath,
    rawQueryString: c.rawQueryString,
    ...(cookies && { cookies }),
    headers,
    ...(Object.keys(query).length > 0 && { queryStringParameters: query }),
    ...(Object.keys(c.route.pathParameters).length > 0 && { pathParameters: c.route.pathParameters }),
    requestContext: {
      accountId: c.accountId,
      apiId: "local",
      authorizer: {
        iam: {
          accessKey,
          accountId: c.accountId,
          callerId: "AIDALOCALSTACKCALLER",
          cognitoIdentity: null,
          principalOrgId: null,
          userArn: c.userArn,
          userId: "AIDALOCALSTACKCALLER",
        },
      },
      domainName: c.host,
      domainPrefix: c.host.split(".")[0] ?? c.host,
      http: {
        method: c.method,
        path: decodeSafe(c.rawPath),
        protocol: "HTTP/1.1",
        sourceIp: c.sourceIp,
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: c.requestId,
      routeKey: c.route.routeKey,
      stage: "$default",
      time: clfTime(c.now),
      timeEpoch: c.now.getTime(),
    },
    ...(hasBody && { body: c.body.toString(base64 ? "base64" : "utf8") }),
    isBase64Encoded: base64,
    // Real events carry principalOrgId: null, which @types/aws-lambda does not allow for.
  } as unknown as APIGatewayProxyEventV2WithIAMAuthorizer;
}

function decodeSafe(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

interface StructuredResult {
  statusCode?: number;
  headers?: Record<string, string | number | boolean>;
  multiValueHeaders?: Record<string, (string | number | boolean)[]>;
  body?: string;
  isBase64Encoded?: boolean;
  cookies?: string[];
}

/**
 * Writes the function's answer as API Gateway would: a result with `statusCode` is taken as is; anything
 * else (a string, an object) is a 200 JSON body.
 */
export function sendApiGatewayResult(res: ServerResponse, result: unknown, requestId: string): void {
  const structured =
    result !== null && typeof result === "object" && "statusCode" in result
      ? (result as StructuredResult)
      : undefined;
  const status = structured?.statusCode ?? 200;
  let body: Buffer;
  const headers: Record<string, string | string[]> = { "apigw-requestid": requestId };
  if (structured) {
    for (const [k, v] of Object.entries(structured.headers ?? {})) headers[k.toLowerCase()] = String(v);
    for (const [k, v] of Object.entries(structured.multiValueHeaders ?? {}))
      headers[k.toLowerCase()] = v.map(String).join(",");
    if (structured.cookies?.length) headers["set-cookie"] = structured.cookies;
    body = Buffer.from(structured.body ?? "", structured.isBase64Encoded ? "base64" : "utf8");
  } else {
    body = Buffer.from(typeof result === "string" ? result : JSON.stringify(result ?? null));
    headers["content-type"] = "application/json";
  }
  headers["content-length"] = String(body.length);
  res.writeHead(status, headers);
  res.end(body);
}
