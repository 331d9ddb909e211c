/*
 * Alerts and logs carry runs, and a run may carry what a caller asked for (overrides). Environment
 * variable values can be secrets, so wherever an `environment` appears only its names are kept.
 */

export const REDACTED = "(redacted)";

function redactEnvironment(env: unknown): unknown {
  if (Array.isArray(env)) {
    // ECS shape: [{ name, value }]
    return env.map((e) => (e && typeof e === "object" ? { ...e, value: REDACTED } : REDACTED));
  }
  if (env && typeof env === "object") {
    return Object.fromEntries(Object.keys(env).map((k) => [k, REDACTED]));
  }
  return REDACTED;
}

/** A deep copy of `value` with the values of every `environment` replaced. */
export function redactSecrets<T>(value: T): T {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (!v || typeof v !== "object") return v;
    return Object.fromEntries(
      Object.entries(v).map(([k, inner]) => [
        k,
        k === "environment" ? redactEnvironment(inner) : walk(inner),
      ]),
    );
  };
  return walk(value) as T;
}
