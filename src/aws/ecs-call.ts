/**
 * What an error thrown by an AWS SDK call means. The SDK has already retried what was worth retrying
 * (src/aws/clients.ts: one retry layer); what reaches the code is final for this call. A client error (bad
 * parameter, missing cluster, access denied) would fail the same way every time; a transient one (throttling,
 * 5xx, network, an answer the SDK could not read) might pass later.
 */

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
  // An answer the SDK could not deserialize (an HTML error page from a proxy: SyntaxError) still carries the
  // response's metadata: the service answered, unreadably. Worth another try later, like a 5xx.
  if (e.$metadata !== undefined) return "server";
  return "unknown";
}

export const isTransient = (kind: AwsErrorKind): boolean =>
  kind === "throttle" || kind === "server" || kind === "network";

export const errorName = (error: unknown): string =>
  error instanceof Error ? error.name : typeof error === "string" ? error : "Error";

export const errorMessage = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);
