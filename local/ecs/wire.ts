/** Timestamps in the three places they go: the JSON 1.1 wire (epoch seconds), events (ISO), the state file. */

/** A deep copy with every Date replaced by `f(date)`; undefined members dropped. */
function mapDates(value: unknown, f: (d: Date) => unknown): unknown {
  if (value instanceof Date) return f(value);
  if (Array.isArray(value)) return value.map((v) => mapDates(v, f));
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = mapDates(v, f);
  return out;
}

/** The JSON 1.1 protocol sends timestamps as epoch seconds (fractional for milliseconds). */
export const toWire = (value: unknown): unknown => mapDates(value, (d) => d.getTime() / 1000);

/** EventBridge events carry ISO 8601 timestamps with milliseconds. */
export const toEventJson = (value: unknown): unknown => mapDates(value, (d) => d.toISOString());

/** State file encoding: Dates become `{ "$date": ms }` so they come back as Dates. */
export const encodeState = (value: unknown): unknown => mapDates(value, (d) => ({ $date: d.getTime() }));

export function decodeState<T>(value: unknown): T {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v !== "object" || v === null) return v;
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && keys[0] === "$date" && typeof o.$date === "number") return new Date(o.$date);
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o)) out[k] = walk(x);
    return out;
  };
  return walk(value) as T;
}
