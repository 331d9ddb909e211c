/** Bearer-token auth of the local HTTP API (SPEC section 5): in AWS the routes use IAM; locally, a token. */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

/** 32 random bytes, URL-safe, so it can travel in `?token=`. */
export const generateToken = (): string => randomBytes(32).toString("base64url");

const digest = (s: string) => createHash("sha256").update(s).digest();

/** Constant-time: hashing first makes both sides the same length whatever was sent. */
export function tokenMatches(expected: string, given: string | undefined): boolean {
  if (given === undefined || given === "") return false;
  return timingSafeEqual(digest(expected), digest(given));
}

/** The token a request carries: `Authorization: Bearer …`, or `?token=` (the dashboard link). */
export function tokenOf(headers: IncomingHttpHeaders, query: URLSearchParams): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === "string") {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m) return m[1];
  }
  return query.get("token") ?? undefined;
}
