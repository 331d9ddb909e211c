/**
 * The dashboard's defence against cross-site requests, on top of SameSite=Strict and the Origin check
 * (../http/auth.ts): a change that the session cookie authenticates must also carry the page's CSRF token in
 * a header and a JSON body type. Another site can make a browser send neither: a custom header or a JSON
 * content type needs a CORS preflight, which this server never grants, and it cannot read the token.
 * The token is derived from the session, so it needs no storage and dies with it.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

export const CSRF_HEADER = "x-csrf-token";

export const csrfTokenFor = (session: string): string =>
  createHmac("sha256", session).update("ecs-jobs dashboard csrf").digest("base64url");

const JSON_TYPE = /^application\/json\s*(?:;|$)/i;

/** Why a cookie-authenticated change is refused (and the header at fault), or undefined when it may go on. */
export function csrfProblem(
  method: string,
  headers: IncomingHttpHeaders,
  session: string,
): { message: string; field: string } | undefined {
  if (method === "GET" || method === "HEAD") return undefined;
  const given = headers[CSRF_HEADER];
  const expected = Buffer.from(csrfTokenFor(session));
  if (
    typeof given !== "string" ||
    given.length !== expected.length ||
    !timingSafeEqual(Buffer.from(given), expected)
  )
    return {
      field: CSRF_HEADER,
      message: `missing or wrong ${CSRF_HEADER} header: changes made with the session cookie must come from the dashboard page`,
    };
  if (!JSON_TYPE.test(headers["content-type"] ?? ""))
    return {
      field: "content-type",
      message: "changes made with the session cookie must be sent as Content-Type: application/json",
    };
  return undefined;
}
