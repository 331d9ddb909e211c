/**
 * Authentication of the local HTTP API (SPEC section 5): in AWS the routes use IAM; locally, a token.
 *
 * - Programs send `Authorization: Bearer $ECS_JOBS_TOKEN`. A web page cannot: a custom header needs a CORS
 *   preflight, which this server never grants.
 * - A browser opens the printed dashboard URL once, `GET /?token=…`; the token is exchanged for a session
 *   cookie (HttpOnly, SameSite=Strict, named per port) and the answer redirects to `/`, so the token leaves
 *   the address bar, history and any Referer. `?token=` is taken nowhere else: a leaked link is no key to
 *   the API routes, and a form on another site has nothing to post with.
 * - A cookie travels with any request the browser makes, so a state-changing request it authenticates must
 *   show that it comes from the dashboard's own origin (Origin, else Sec-Fetch-Site: same-origin).
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

/** A token shorter than this is refused at start (an ECS_JOBS_TOKEN of one character is no secret). */
const MIN_TOKEN_LENGTH = 16;

/** 32 random bytes, URL-safe, so it can travel in `?token=`. */
export const generateToken = (): string => randomBytes(32).toString("base64url");

/** Why a token cannot be used, or undefined when it can. */
export function tokenProblem(token: string): string | undefined {
  if (token.length < MIN_TOKEN_LENGTH)
    return `ECS_JOBS_TOKEN is ${token.length} character(s) long; use at least ${MIN_TOKEN_LENGTH} (or unset it to get a generated one)`;
  if (!/^[\x21-\x7e]+$/.test(token))
    return "ECS_JOBS_TOKEN may hold printable ASCII characters only, without spaces";
  return undefined;
}

const digest = (s: string) => createHash("sha256").update(s).digest();

/** Constant-time: hashing first makes both sides the same length whatever was sent. */
export function tokenMatches(expected: string, given: string | undefined): boolean {
  if (given === undefined || given === "") return false;
  return timingSafeEqual(digest(expected), digest(given));
}

/** The token of a well-formed `Authorization: Bearer …` header. */
function bearerOf(headers: IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization;
  if (typeof auth !== "string") return undefined;
  return /^Bearer\s+(\S+)\s*$/i.exec(auth)?.[1];
}

/** Cookies are shared by every port of a host: the port in the name keeps two stacks apart. */
const sessionCookieName = (port: number): string => `ecs_jobs_session_${port}`;

export function sessionCookie(port: number, session: string): string {
  return `${sessionCookieName(port)}=${session}; Path=/; HttpOnly; SameSite=Strict`;
}

/** The value of the named cookie, if the request carries it. */
function cookieOf(headers: IncomingHttpHeaders, name: string): string | undefined {
  const header = headers.cookie;
  if (typeof header !== "string") return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export const newSession = (): string => randomBytes(32).toString("base64url");

export type Authenticated = "bearer" | "cookie" | "exchange" | undefined;

/**
 * How a request is authenticated: a well-formed bearer header decides (a right cookie or `?token=` does not
 * rescue a wrong one); else the session cookie; else, on the dashboard page only, `?token=` (to exchange).
 */
export function authenticate(
  req: { method: string; path: string; headers: IncomingHttpHeaders; query: URLSearchParams },
  o: { token: string; session: string; port: number },
): Authenticated {
  const bearer = bearerOf(req.headers);
  if (bearer !== undefined) return tokenMatches(o.token, bearer) ? "bearer" : undefined;
  if (tokenMatches(o.session, cookieOf(req.headers, sessionCookieName(o.port)))) return "cookie";
  const page =
    (req.method === "GET" || req.method === "HEAD") && (req.path === "/" || req.path === "/index.html");
  if (page && tokenMatches(o.token, req.query.get("token") ?? undefined)) return "exchange";
  return undefined;
}

const SAFE_METHODS = new Set(["GET", "HEAD"]);

/**
 * Whether a cookie-authenticated request may go on: reads always (SameSite=Strict keeps the cookie off
 * other sites' requests, CORS keeps the answer from them); anything else only with this server's own
 * Origin (http, a loopback name, this port), or, where a browser sends no Origin, Sec-Fetch-Site: same-origin.
 * Without either it is refused: every browser that sends cookies sends one of them on a POST.
 */
export function sameOrigin(method: string, headers: IncomingHttpHeaders, port: number): boolean {
  if (SAFE_METHODS.has(method)) return true;
  const origin = headers.origin;
  if (typeof origin === "string") {
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false;
    }
    const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
    return url.protocol === "http:" && loopback && url.port === String(port);
  }
  return headers["sec-fetch-site"] === "same-origin";
}
