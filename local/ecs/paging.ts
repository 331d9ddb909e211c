/** nextToken/maxResults paging of List* operations (ECS returns at most 100 per page). */
import { invalidParameter } from "./api-error.ts";

export function page<T>(
  items: readonly T[],
  input: { maxResults?: number | undefined; nextToken?: string | undefined },
  defaultMax = 100,
): { items: T[]; nextToken?: string } {
  let offset = 0;
  if (input.nextToken !== undefined) {
    const decoded = Number(Buffer.from(input.nextToken, "base64url").toString("utf8"));
    if (!Number.isInteger(decoded) || decoded < 0) throw invalidParameter("Invalid nextToken.", "nextToken");
    offset = decoded;
  }
  const size = input.maxResults ?? defaultMax;
  const slice = items.slice(offset, offset + size);
  const next = offset + size;
  return next < items.length
    ? { items: slice, nextToken: Buffer.from(String(next), "utf8").toString("base64url") }
    : { items: slice };
}
