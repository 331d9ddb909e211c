/**
 * The Lambda-path schemas use `zod/mini` (tree-shakable, a fraction of classic zod's size and load time).
 * Mini ships no default locale: without this, its issues would read "Invalid input" where classic zod —
 * which the spec schema, and so the CLI and tests, load — says "Invalid input: expected string, received
 * number". Importing this module first keeps every message the same as before the switch.
 */
import { config } from "zod/mini";
import en from "zod/v4/locales/en.js";

config(en());

/**
 * A schema built on its first use rather than at import: building zod/mini schemas (the objects, their
 * checks, the ISO date regexes) is ~13 M instructions of a handler's cold start for the trigger and event
 * schemas, and each invocation parses with only one or two of them. Reads the built schema's properties
 * (`safeParse`, `parse`, `_zod` when nested in another schema), so callers use it as the schema itself.
 */
export function lazySchema<S extends object>(build: () => S): S {
  let built: S | undefined;
  const schema = (): S => {
    built ??= build();
    return built;
  };
  return new Proxy(Object.create(null) as S, {
    get(_, key) {
      const s = schema();
      const value: unknown = Reflect.get(s, key, s);
      return typeof value === "function" ? value.bind(s) : value;
    },
    has: (_, key) => Reflect.has(schema(), key),
    getPrototypeOf: () => Reflect.getPrototypeOf(schema()),
  });
}
