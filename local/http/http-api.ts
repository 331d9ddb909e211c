/**
 * The local HTTP API on 127.0.0.1: bearer-token auth, a body limit, the API routes handed to the real http
 * handler as API Gateway payload 2.0 events, plus two local pages: the dashboard (GET /) and the captured
 * alerts (GET /alerts).
 */
import { randomUUID } from "node:crypto";
import { createServer, type ServerResponse, STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import type { APIGatewayProxyEventV2WithIAMAuthorizer } from "aws-lambda";
import type { Run } from "../../src/host/domain.ts";
import type { LocalAlert } from "../aws/alerts.ts";
import { csrfProblem, csrfTokenFor } from "../dashboard/csrf.ts";
import { createChangeFeed, fingerprintOf } from "../dashboard/live.ts";
import { dashboardRoute } from "../dashboard/routes.ts";
import { closeServer, isLoopbackHost, LOOPBACK, listen, readBody } from "../net.ts";
import { matchRoute, sendApiGatewayResult, toApiGatewayEvent } from "./apigw.ts";
import { authenticate, newSession, sameOrigin, sessionCookie } from "./auth.ts";
import type { DashboardData } from "./dashboard.ts";

/** API Gateway HTTP APIs accept 10 MB; this API's bodies are a few overrides, so much less is plenty. */
const DEFAULT_BODY_LIMIT = 64 * 1024;

export interface HttpLog {
  info(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

export interface LocalHttpOptions {
  port: number;
  token: string;
  /** Invokes the http handler. */
  api: (event: APIGatewayProxyEventV2WithIAMAuthorizer) => Promise<unknown>;
  dashboard: () => Promise<DashboardData>;
  /** A run as the API shows it (redacted), for the dashboard's run page; absent: no run pages. */
  run?: (runId: string) => Promise<Run | undefined>;
  /** How often open dashboard pages are checked for changes (default 500 ms). */
  livePollMs?: number;
  alerts: () => LocalAlert[];
  accountId: string;
  userArn: string;
  now: () => Date;
  log: HttpLog;
  bodyLimit?: number;
  /** How long requests in flight at close get to finish (default 1 s). */
  closeGraceMs?: number;
}

/** The http function's timeout (local/handlers.ts): no invocation runs longer, but for a stuck one. */
const INVOCATION_WAIT_MS = 30_000;

/** Resolves when every promise settled, or after `ms`, whichever comes first. */
function settledWithin(promises: Promise<unknown>[], ms: number): Promise<void> {
  if (promises.length === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    void Promise.allSettled(promises).then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export interface LocalHttpServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

function sendError(res: ServerResponse, status: number, code: string, message: string, field?: string): void {
  const body = JSON.stringify({ error: { code, message, ...(field && { field }) } });
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    ...(status === 401 && { "www-authenticate": 'Bearer realm="ecs-jobs"' }),
  });
  res.end(body);
}

function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string,
  extra: Record<string, string> = {},
) {
  res.writeHead(status, {
    "content-type": type,
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    ...extra,
  });
  // HEAD: the same head as GET, no body (Node leaves the body out itself).
  res.end(body);
}

/** `application/json` or `application/…+json`: the only bodies the API reads (see src/http/body.ts). */
const JSON_TYPE = /^application\/(?:json|[\w.+-]+\+json)\s*(?:;|$)/i;

/**
 * What Node's parser refuses (a malformed request line or header, an unframed body after a GET, headers over
 * the limit) gets a JSON error like every other answer, instead of Node's bare "400 Bad Request". As Node's
 * own handler does, only when no answer has started on that socket: otherwise the socket is just closed.
 */
function answerClientError(
  error: NodeJS.ErrnoException,
  socket: Duplex & { _httpMessage?: { headersSent?: boolean } | null },
): void {
  // `_httpMessage` is the response in flight on this socket, the one Node's own handler looks at.
  if (!socket.writable || socket._httpMessage?.headersSent || error.code === "ECONNRESET") {
    socket.destroy();
    return;
  }
  const [status, code, message] =
    error.code === "HPE_HEADER_OVERFLOW"
      ? [431, "RequestHeaderFieldsTooLarge", "the request headers are too large"]
      : error.code === "HPE_CHUNK_EXTENSIONS_OVERFLOW"
        ? [413, "PayloadTooLarge", "the chunk extensions are too large"]
        : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
          ? [408, "RequestTimeout", "the request took too long to arrive"]
          : [400, "BadRequest", "malformed HTTP request"];
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

export async function startHttpApi(o: LocalHttpOptions): Promise<LocalHttpServer> {
  const limit = o.bodyLimit ?? DEFAULT_BODY_LIMIT;
  let url = "";
  let port = 0;
  // One session for every browser tab; it lives as long as this server (a restart asks for the link again).
  const session = newSession();
  const csrf = csrfTokenFor(session);
  // What open dashboard pages see change; `now` is left out, it always differs.
  const feed = createChangeFeed({
    fingerprint: async () => fingerprintOf({ ...(await o.dashboard()), now: undefined }),
    ...(o.livePollMs !== undefined && { pollMs: o.livePollMs }),
    onError: (error) => o.log.error("dashboard live update failed", { error: String(error) }),
  });
  /** Handler invocations not finished: a close waits for them (see close below). */
  const invocations = new Set<Promise<unknown>>();
  const server = createServer(async (req, res) => {
    const method = req.method ?? "GET";
    const rawUrl = req.url ?? "/";
    const q = rawUrl.indexOf("?");
    const rawPath = q === -1 ? rawUrl : rawUrl.slice(0, q);
    const query = new URLSearchParams(q === -1 ? "" : rawUrl.slice(q + 1));
    try {
      // The token already keeps other pages out; this keeps a page that learnt it (a shared dashboard link)
      // from using it through a rebound DNS name.
      if (!isLoopbackHost(req.headers.host)) {
        req.resume();
        sendError(res, 403, "Forbidden", "this server answers requests to 127.0.0.1 or localhost only");
        return;
      }
      const authenticated = authenticate(
        { method, path: rawPath, headers: req.headers, query },
        { token: o.token, session, port },
      );
      if (!authenticated) {
        req.resume();
        sendError(
          res,
          401,
          "Unauthorized",
          "missing or wrong token: send Authorization: Bearer $ECS_JOBS_TOKEN (browsers: open the dashboard link printed at start)",
        );
        return;
      }
      if (authenticated === "exchange") {
        req.resume();
        send(res, 303, "text/plain; charset=utf-8", "", {
          location: "/",
          "set-cookie": sessionCookie(port, session),
          "referrer-policy": "no-referrer",
        });
        return;
      }
      if (authenticated === "cookie" && !sameOrigin(method, req.headers, port)) {
        req.resume();
        sendError(
          res,
          403,
          "Forbidden",
          "cross-site request refused: the session cookie authorizes changes from the dashboard page only",
        );
        return;
      }
      const csrfIssue = authenticated === "cookie" ? csrfProblem(method, req.headers, session) : undefined;
      if (csrfIssue) {
        req.resume();
        sendError(res, 403, "Forbidden", csrfIssue.message, csrfIssue.field);
        return;
      }
      const body = await readBody(req, limit);
      if (body === undefined) {
        sendError(res, 413, "PayloadTooLarge", `request body is larger than ${limit} bytes`);
        return;
      }
      const page = method === "GET" || method === "HEAD";
      const screen = page
        ? await dashboardRoute(rawPath, query, {
            dashboard: o.dashboard,
            ...(o.run && { run: o.run }),
            csrf,
            now: o.now,
          })
        : undefined;
      if (screen?.kind === "events") {
        // A HEAD gets the head only: a stream that never ends would hold the client forever.
        if (method === "HEAD") send(res, 200, "text/event-stream; charset=utf-8", "");
        else feed.attach(res);
        return;
      }
      if (screen?.kind === "not-found") {
        sendError(res, 404, "NotFound", screen.message);
        return;
      }
      if (screen) {
        send(res, screen.status, "text/html; charset=utf-8", screen.body, screen.headers);
        return;
      }
      if (page && rawPath === "/alerts") {
        send(res, 200, "application/json", JSON.stringify({ alerts: o.alerts() }));
        return;
      }
      const route = matchRoute(method, rawPath);
      if (!route) {
        sendError(res, 404, "NotFound", `no route ${method} ${rawPath}`);
        return;
      }
      // The handler refuses these too (src/http/body.ts); refused here as well, so that no route added later
      // reads a form post as JSON. GET and HEAD bodies are read by no route.
      const type = req.headers["content-type"] ?? "";
      if (!page && body.length > 0 && !JSON_TYPE.test(type)) {
        sendError(
          res,
          415,
          "UnsupportedMediaType",
          "the body must be sent as Content-Type: application/json",
          "content-type",
        );
        return;
      }
      // The token is the local stand-in for IAM auth: like a SigV4 signature, it is not the function's business.
      query.delete("token");
      const headers = { ...req.headers };
      delete headers.authorization;
      const requestId = randomUUID();
      const event = toApiGatewayEvent({
        method,
        rawPath,
        rawQueryString: query.toString(),
        headers,
        body,
        route,
        requestId,
        sourceIp: req.socket.remoteAddress ?? LOOPBACK,
        host: req.headers.host ?? new URL(url).host,
        accountId: o.accountId,
        userArn: o.userArn,
        now: o.now(),
      });
      const invocation = o.api(event);
      invocations.add(invocation);
      const result = await invocation.finally(() => invocations.delete(invocation));
      sendApiGatewayResult(res, result, requestId);
    } catch (error) {
      // What API Gateway does when the function fails: a 500, the details only in the function's log.
      o.log.error(`${method} ${rawPath} failed`, { error: (error as Error).stack ?? String(error) });
      if (!res.headersSent) sendError(res, 500, "InternalError", "Internal Server Error");
      else res.destroy();
    }
  });
  server.on("clientError", answerClientError);
  port = await listen(server, o.port);
  url = `http://${LOOPBACK}:${port}`;
  return {
    url,
    port,
    close: async () => {
      // Event streams never end by themselves: ended here, or the close would wait out its grace for them.
      feed.close();
      await closeServer(server, o.closeGraceMs);
      // An invocation whose connection the grace cut off still runs, as a Lambda function goes on after API
      // Gateway gave up: waited for (as long as the function's own timeout at most), so that what the stack
      // closes next (the emulator, the ledger) is not closed under it.
      await settledWithin([...invocations], INVOCATION_WAIT_MS);
    },
  };
}
