/*
 * Alerts and logs carry runs, and a run may carry what a caller asked for (overrides). Environment
 * variable values can be secrets, so wherever an `environment` appears only its names are kept. Command
 * arguments can be too (`--token VALUE`, `--password=VALUE`, a URL with credentials), and no rule can tell
 * which: a `command` keeps its program and its flag names (`-v`, `--date`), every other argument is redacted.
 * What ran stays readable in shape; the caller who set the values knows them.
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

/** A flag name alone (`-v`, `--date`): shown. `--flag=value` shows the flag, not the value. */
const FLAG = /^--?[A-Za-z][\w.-]*$/;
const FLAG_WITH_VALUE = /^(--?[A-Za-z][\w.-]*)=/;

function redactCommand(command: unknown): unknown {
  if (!Array.isArray(command)) return REDACTED;
  return command.map((arg, i) => {
    if (typeof arg !== "string") return REDACTED;
    if (i === 0 || FLAG.test(arg)) return arg;
    const flag = FLAG_WITH_VALUE.exec(arg)?.[1];
    return flag ? `${flag}=${REDACTED}` : REDACTED;
  });
}

/** A deep copy of `value` with the values of every `environment` and the arguments of every `command` replaced. */
export function redactSecrets<T>(value: T): T {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (!v || typeof v !== "object") return v;
    return Object.fromEntries(
      Object.entries(v).map(([k, inner]) => [
        k,
        k === "environment" ? redactEnvironment(inner) : k === "command" ? redactCommand(inner) : walk(inner),
      ]),
    );
  };
  return walk(value) as T;
}
