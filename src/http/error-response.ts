/**
 * One mapping from errors to HTTP answers `{ "error": { "code", "message", "field"? } }` (SPEC section 3).
 * Errors raised on purpose (EcsJobsError) carry their own code and message. Anything else is an AWS fault
 * or a bug: the caller gets a generic message (nothing internal leaks), the log gets the details.
 */

import { classifyAwsError, errorName } from "../aws/ecs-call.ts";
import { ConflictError, EcsJobsError, ForbiddenError, NotFoundError, ValidationError } from "../errors.ts";
import type { Log } from "../log.ts";
import { LogsUnavailableError } from "../logs/run-logs.ts";
import type { HttpResponse } from "./types.ts";

export class PayloadTooLargeError extends EcsJobsError {
  constructor(limit: number) {
    super("PayloadTooLarge", `the request body is larger than ${limit} bytes`);
  }
}

export class UnsupportedMediaTypeError extends EcsJobsError {
  constructor(message: string) {
    super("UnsupportedMediaType", message, { field: "content-type" });
  }
}

export class MethodNotAllowedError extends EcsJobsError {
  readonly allow: string[];
  constructor(method: string, path: string, allow: string[]) {
    super("MethodNotAllowed", `${method} is not allowed on ${path}; use ${allow.join(" or ")}`);
    this.allow = allow;
  }
}

export class NotImplementedError extends EcsJobsError {
  constructor(message: string) {
    super("NotImplemented", message);
  }
}

const STATUS: [new (...args: never[]) => EcsJobsError, number][] = [
  [ValidationError, 400],
  [ForbiddenError, 403],
  [NotFoundError, 404],
  [MethodNotAllowedError, 405],
  [ConflictError, 409],
  [PayloadTooLargeError, 413],
  [UnsupportedMediaTypeError, 415],
  // The task definition or log group could not be read (permissions, deleted): named in the message.
  [LogsUnavailableError, 502],
  [NotImplementedError, 501],
];

export const JSON_HEADERS = {
  "content-type": "application/json; charset=utf-8",
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
};

export function jsonResponse(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): HttpResponse {
  return { status, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

const errorBody = (code: string, message: string, field?: string) => ({
  error: { code, message, ...(field !== undefined && { field }) },
});

export function errorResponse(error: unknown, log: Pick<Log, "warn" | "error">): HttpResponse {
  if (error instanceof EcsJobsError) {
    const status = STATUS.find(([type]) => error instanceof type)?.[1];
    if (status !== undefined) {
      log.warn("request refused", { status, code: error.code, ...(error.field && { field: error.field }) });
      const headers: Record<string, string> =
        error instanceof MethodNotAllowedError ? { allow: error.allow.join(", ") } : {};
      return jsonResponse(status, errorBody(error.code, error.message, error.field), headers);
    }
  }
  const kind = classifyAwsError(error);
  if (error instanceof Error) log.error("request failed", error);
  else log.error("request failed", { error: errorName(error) });
  if (kind === "throttle" || kind === "server" || kind === "network")
    return jsonResponse(
      503,
      errorBody("ServiceUnavailable", "a service ecs-jobs depends on is unavailable; retry later"),
      { "retry-after": "1" },
    );
  if (kind === "client")
    return jsonResponse(502, errorBody("BadGateway", "a service ecs-jobs depends on refused the request"));
  return jsonResponse(500, errorBody("InternalError", "internal error"));
}
