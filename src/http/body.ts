/** Reading a JSON request body: size limit, syntax, and keys that could pollute prototypes. */
import { ValidationError } from "../errors.ts";
import { PayloadTooLargeError, UnsupportedMediaTypeError } from "./error-response.ts";
import type { HttpRequest } from "./types.ts";

export const MAX_BODY_BYTES = 64 * 1024;

/*
 * JSON.parse makes "__proto__" an own property, which is harmless until some code copies it with an
 * assignment; "constructor" and "prototype" are refused too so no later lookup can reach Object.prototype.
 */
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/** The first forbidden key and its path. Iterative: a 64 KiB body can nest deeper than the call stack. */
function forbiddenKey(root: unknown): string | undefined {
  const stack: [unknown, string][] = [[root, ""]];
  while (stack.length > 0) {
    const [value, path] = stack.pop() as [unknown, string];
    if (typeof value !== "object" || value === null) continue;
    for (const key of Object.keys(value)) {
      const at = path ? `${path}.${key}` : key;
      if (FORBIDDEN_KEYS.has(key)) return at;
      stack.push([(value as Record<string, unknown>)[key], at]);
    }
  }
  return undefined;
}

/** The parsed body; undefined when there is none. */
export function parseJsonBody(body: string | undefined, maxBytes = MAX_BODY_BYTES): unknown {
  if (body === undefined || body.trim() === "") return undefined;
  if (Buffer.byteLength(body, "utf8") > maxBytes) throw new PayloadTooLargeError(maxBytes);
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    throw new ValidationError(`the body is not valid JSON: ${(error as Error).message}`, { field: "body" });
  }
  const key = forbiddenKey(value);
  if (key !== undefined)
    throw new ValidationError(`the key "${key.split(".").at(-1)}" is not allowed`, { field: key });
  return value;
}

/** `application/json` or `application/…+json`, parameters (charset) allowed. */
const JSON_TYPE = /^application\/(?:json|[\w.+-]+\+json)\s*(?:;|$)/i;

/**
 * A request's body as JSON, only when its Content-Type says JSON. Browsers send `text/plain`, form and
 * multipart bodies cross-site without asking (no CORS preflight), so parsing those as JSON would let any web
 * page post a run request; a JSON type always needs the preflight, which is never granted.
 */
export function jsonBodyOf(req: Pick<HttpRequest, "body" | "headers">, maxBytes = MAX_BODY_BYTES): unknown {
  if (req.body === undefined || req.body.trim() === "") return undefined;
  if (Buffer.byteLength(req.body, "utf8") > maxBytes) throw new PayloadTooLargeError(maxBytes);
  const type = req.headers["content-type"] ?? "";
  if (!JSON_TYPE.test(type))
    throw new UnsupportedMediaTypeError(
      `the body must be sent as Content-Type: application/json, not ${type ? JSON.stringify(type.slice(0, 100)) : "without a Content-Type"}`,
    );
  return parseJsonBody(req.body, maxBytes);
}
