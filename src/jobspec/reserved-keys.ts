/**
 * Keys that name JavaScript object internals. Both YAML parsers keep `__proto__: …` as an own key, but any
 * later `out[key] = value` (the defaults merge, a record schema) would set the object's prototype instead,
 * so its contents became inherited job fields that no "unknown key" check sees (issue 20, item 9). They are
 * refused anywhere in a spec, as in HTTP bodies (src/http/body.ts).
 */
import type { FieldPath } from "./locate.ts";

export const RESERVED_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

export const reservedKeyMessage = (key: string): string =>
  `"${key}" is not allowed as a key (it names JavaScript object internals)`;

const isMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The paths of every reserved key in a parsed value, in document order. Iterative: the value may be as deep
 * as the parser allows. Aliased nodes are walked once (a value built with aliases is a graph).
 */
export function reservedKeyPaths(value: unknown): FieldPath[] {
  const found: FieldPath[] = [];
  const seen = new Set<object>();
  const stack: { value: unknown; path: FieldPath }[] = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: v, path } = stack.pop() as { value: unknown; path: FieldPath };
    if (typeof v !== "object" || v === null || seen.has(v)) continue;
    seen.add(v);
    const children: { value: unknown; path: FieldPath }[] = [];
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) children.push({ value: v[i], path: [...path, i] });
    } else if (isMap(v)) {
      for (const key of Object.keys(v)) {
        if (RESERVED_KEYS.has(key)) found.push([...path, key]);
        else children.push({ value: v[key], path: [...path, key] });
      }
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as (typeof children)[number]);
  }
  return found;
}

/** The value without its reserved keys (they are reported separately), so the schema checks the rest. */
export function withoutReservedKeys(value: unknown, paths: readonly FieldPath[]): unknown {
  for (const path of paths) {
    let node: unknown = value;
    for (const segment of path.slice(0, -1)) node = (node as Record<string | number, unknown>)[segment];
    if (isMap(node)) delete node[String(path[path.length - 1])];
  }
  return value;
}
