/** Reading a JSON request body: size limit, syntax, and keys that could pollute prototypes. */
import { ValidationError } from "../errors.ts";
import { PayloadTooLargeError } from "./errors.ts";

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
