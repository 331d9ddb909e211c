/**
 * Calling ECS from the launcher: which errors are worth another try, and the retry loop itself.
 * Throttling and server faults are transient and retried with capped exponential backoff and full jitter
 * (https://aws.amazon.com/builders-library/timeouts-retries-and-backoff-with-jitter/). A client error
 * (bad parameter, missing cluster, access denied) will fail the same way every time, so it is not retried.
 */
import type { Deps } from "../deps.ts";

export type AwsErrorKind = "throttle" | "server" | "network" | "client" | "unknown";

const THROTTLE_NAMES = new Set([
  "ThrottlingException",
  "Throttling",
  "ThrottledException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "RequestThrottled",
  "RequestThrottledException",
  "ProvisionedThroughputExceededException",
]);
const NETWORK_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EPIPE", "EAI_AGAIN", "ENOTFOUND"]);
const NETWORK_NAMES = new Set(["TimeoutError", "RequestTimeout", "RequestTimeoutException", "AbortError"]);

interface AwsErrorShape {
  name?: unknown;
  code?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: number };
  $retryable?: { throttling?: boolean };
}

/** How an error thrown by an AWS SDK call should be treated. "unknown" = not an AWS error (a bug): rethrow. */
export function classifyAwsError(error: unknown): AwsErrorKind {
  if (typeof error !== "object" || error === null) return "unknown";
  const e = error as AwsErrorShape;
  const name = typeof e.name === "string" ? e.name : "";
  const status = e.$metadata?.httpStatusCode;
  if (THROTTLE_NAMES.has(name) || status === 429 || e.$retryable?.throttling === true) return "throttle";
  if (name === "ServerException" || e.$fault === "server" || (status !== undefined && status >= 500))
    return "server";
  if (NETWORK_NAMES.has(name) || (typeof e.code === "string" && NETWORK_CODES.has(e.code))) return "network";
  if (e.$fault === "client" || (status !== undefined && status >= 400)) return "client";
  return "unknown";
}

export const isTransient = (kind: AwsErrorKind): boolean =>
  kind === "throttle" || kind === "server" || kind === "network";

export interface RetryOptions {
  /** Calls in all, the first included. */
  attempts: number;
  baseMs: number;
  maxMs: number;
  random: () => number;
}

/**
 * Bounded so a Lambda invocation (30 s) ends well before its timeout; the invocation's own retry (same
 * clientTokens) is the next line of defence. Worst case 0.2+0.4+0.8+1.6 = 3 s of waiting.
 */
export const DEFAULT_RETRY: RetryOptions = { attempts: 5, baseMs: 200, maxMs: 5_000, random: Math.random };

/** `fn` until it succeeds, a non-transient error, or the attempts run out; then the last error is thrown. */
export async function withRetry<T>(
  deps: Pick<Deps, "sleep" | "log">,
  operation: string,
  fn: () => Promise<T>,
  options: Partial<RetryOptions> = {},
): Promise<T> {
  const o = { ...DEFAULT_RETRY, ...options };
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      const kind = classifyAwsError(error);
      if (!isTransient(kind) || attempt >= o.attempts) throw error;
      const delay = Math.round(o.random() * Math.min(o.maxMs, o.baseMs * 2 ** (attempt - 1)));
      deps.log.warn(`${operation} failed (${kind}); retrying`, {
        operation,
        attempt,
        delayMs: delay,
        error: errorName(error),
      });
      await deps.sleep(delay);
    }
  }
}

export const errorName = (error: unknown): string =>
  error instanceof Error ? error.name : typeof error === "string" ? error : "Error";

export const errorMessage = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);
