/**
 * Request bodies for the HTTP fuzz test, by kind: allowed by the job's allowlist, denied (with the field the
 * 400 must name), polluted with prototype keys, not JSON, nested deep, counts out of range, environment
 * names that are not names, over the body limit, and the strings they are made of.
 */
import fc from "fast-check";

export const HTTP_JOBS = ["open", "wide", "locked", "solo", "failing"] as const;
export const BODY_LIMIT = 64 * 1024;

export type HttpJob = (typeof HTTP_JOBS)[number];

// ---------------------------------------------------------------- strings

const CONTROL = fc.string({ unit: fc.integer({ min: 0, max: 0x1f }).map((n) => String.fromCharCode(n)) });
/** Anything a JSON string can hold: control characters, lone surrogates, astral planes, injections. */
export const nastyString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  CONTROL,
  fc.constantFrom(
    "",
    "\u0000",
    "\ud800",
    "\udfff\ud800",
    "\r\nX-Injected: 1",
    "$" + "{HOME}", // a shell expansion, literally
    "$(id)",
    "'; DROP TABLE runs; --",
    "<script>alert(1)</script>",
    "\u202eevil",
    "\ufeff",
    "%00",
    "../../etc/passwd",
  ),
);

export const token = (): fc.Arbitrary<string> =>
  fc.string({
    unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_".split("")),
    minLength: 1,
    maxLength: 12,
  });

/** Strings that are not environment variable names (SPEC: names must be names). */
export const badEnvName = fc.oneof(
  fc.constantFrom(
    "",
    "1ABC",
    "A B",
    "A-B",
    "A=B",
    "A\u0000B",
    "A\nB",
    "A\tB",
    "É",
    "A.B",
    "$A",
    "A\u202e",
    // Terminal escapes: refused names are logged by field, and must not reach the console raw.
    "A\u001b[2J\u001b[31mB",
    "\u001b]0;title\u0007",
  ),
  CONTROL.filter((s) => s.length > 0),
  fc
    .string({ unit: "binary", minLength: 1, maxLength: 8 })
    .filter((s) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(s)),
);

// ---------------------------------------------------------------- bodies

const envValue = nastyString;
const commandArb = fc.array(nastyString, { minLength: 1, maxLength: 3 });
const countArb = fc.integer({ min: 1, max: 3 });

/** A body every part of which the job's allowlist permits. */
export const allowedBody = (job: HttpJob): fc.Arbitrary<Record<string, unknown>> => {
  const env = (names: string[]) =>
    fc.dictionary(fc.constantFrom(...names), envValue, { maxKeys: names.length });
  switch (job) {
    case "open":
      return fc
        .record(
          {
            command: commandArb,
            environment: env(["ALLOWED", "TOKEN", "APP_ONLY"]),
            containers: env(["APP_ONLY", "ALLOWED"]).map((e) => ({ app: { environment: e } })),
            count: countArb,
          },
          { requiredKeys: [] },
        )
        .map(({ count, ...o }) => ({ ...(count !== undefined && { count }), overrides: o }));
    case "wide":
      return fc
        .record(
          {
            environment: fc.dictionary(
              // Names body.ts refuses anywhere (prototype keys) are not what this case is about.
              fc
                .stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,15}$/)
                .filter((n) => !(FORBIDDEN as readonly string[]).includes(n)),
              envValue,
              { maxKeys: 3 },
            ),
            cpu: fc.constantFrom("256", "512", 1024, "1 vCPU"),
            memory: fc.constantFrom("512", 2048, "2 GB"),
          },
          { requiredKeys: [] },
        )
        .map((o) => ({ overrides: o }));
    case "solo":
      return env(["ALLOWED"]).map((e) => ({ overrides: { environment: e } }));
    case "failing":
      return env(["TOKEN"]).map((e) => ({ overrides: { environment: e } }));
    case "locked":
      return fc.constantFrom({}, { overrides: {} });
  }
};

/** One override the allowlist does not permit, with the field the 400 must name. */
export const DENIED: Record<HttpJob, [Record<string, unknown>, string][]> = {
  open: [
    [{ overrides: { environment: { NOT_ALLOWED: "x" } } }, "overrides.environment.NOT_ALLOWED"],
    [{ overrides: { environment: { BASE: "x" } } }, "overrides.environment.BASE"],
    [{ overrides: { cpu: "4096" } }, "overrides.cpu"],
    [{ overrides: { memory: 30720 } }, "overrides.memory"],
    [{ overrides: { containers: { sidecar: { command: ["sh"] } } } }, "overrides.containers.sidecar.command"],
    [
      { overrides: { containers: { sidecar: { environment: { ALLOWED: "x" } } } } },
      "overrides.containers.sidecar.environment.ALLOWED",
    ],
    [
      { overrides: { containers: { app: { environment: { PATH: "/tmp" } } } } },
      "overrides.containers.app.environment.PATH",
    ],
  ],
  wide: [
    [{ overrides: { command: ["sh", "-c", "id"] } }, "overrides.command"],
    [{ count: 2 }, "count"],
    [
      { overrides: { containers: { sidecar: { environment: { X: "1" } } } } },
      "overrides.containers.sidecar.environment.X",
    ],
  ],
  locked: [
    [{ overrides: { environment: { X: "1" } } }, "overrides.environment.X"],
    [{ count: 1 }, "count"],
    [{ overrides: { command: ["true"] } }, "overrides.command"],
    [{ overrides: { cpu: 256 } }, "overrides.cpu"],
  ],
  solo: [
    [{ overrides: { environment: { OTHER: "1" } } }, "overrides.environment.OTHER"],
    [{ count: 5 }, "count"],
  ],
  failing: [
    [{ overrides: { environment: { ALLOWED: "1" } } }, "overrides.environment.ALLOWED"],
    [{ overrides: { command: ["true"] } }, "overrides.command"],
  ],
};

const FORBIDDEN = ["__proto__", "constructor", "prototype"] as const;

/** A forbidden key put somewhere in a body: at the top, in overrides, in environment, in containers. */
export const pollutedBody = fc
  .tuple(fc.constantFrom(...FORBIDDEN), fc.integer({ min: 0, max: 4 }))
  .map(([key, where]): [string, string] => {
    const k = JSON.stringify(key);
    const payload = '{"polluted":"yes","toString":"x"}';
    switch (where) {
      case 0:
        return [`{${k}:${payload}}`, key];
      case 1:
        return [`{"overrides":{${k}:${payload}}}`, `overrides.${key}`];
      case 2:
        return [`{"overrides":{"environment":{${k}:"x"}}}`, `overrides.environment.${key}`];
      case 3:
        return [`{"overrides":{"containers":{${k}:{"command":["x"]}}}}`, `overrides.containers.${key}`];
      default:
        return [
          `{"count":1,"overrides":{"environment":{"ALLOWED":"x"},"containers":{"app":{${k}:${payload}}}}}`,
          `overrides.containers.app.${key}`,
        ];
    }
  });

export const invalidJson = fc.oneof(
  fc.constantFrom(
    "{",
    "}",
    "[",
    '{"count":}',
    "{'count':1}",
    '{"count":1,}',
    "NaN",
    "undefined",
    '{"a":1}{',
    "\u0000",
    '"\\u12"',
    '{"overrides":{"environment":{"A":"\n"}}}',
  ),
  fc.string({ maxLength: 60 }).filter((s) => {
    if (s.trim() === "") return false;
    try {
      JSON.parse(s);
      return false;
    } catch {
      return true;
    }
  }),
);

/** Valid JSON nested deeper than any stack: `[[[…]]]` or `{"a":{"a":…}}`. */
export const deepBody = fc
  .tuple(fc.integer({ min: 500, max: 20_000 }), fc.boolean())
  .map(([n, arrays]) =>
    arrays
      ? `${"[".repeat(n)}${"]".repeat(n)}`
      : `${'{"overrides":'.repeat(1)}${'{"a":'.repeat(n)}1${"}".repeat(n + 1)}`,
  );

export const badCount = fc.constantFrom(
  "0",
  "-1",
  "10001",
  "1e309",
  "1.5",
  '"3"',
  "null",
  "true",
  "[]",
  "{}",
  "9007199254740993",
  "-0.0001",
  "1e3000",
);

/** A body of more than the limit: filler in a JSON string, or plain garbage. */
export const hugeBody = fc
  .tuple(fc.integer({ min: 1, max: 3 * BODY_LIMIT }), fc.boolean())
  .map(([extra, json]) =>
    json
      ? `{"overrides":{"environment":{"ALLOWED":"${"x".repeat(BODY_LIMIT + extra)}"}}}`
      : "A".repeat(BODY_LIMIT + extra),
  );

/** A body the size of the limit, exactly (allowed), that is not a valid request. */
export const atLimitBody = fc
  .constant(`{"overrides":{"environment":{"ALLOWED":"${"y".repeat(BODY_LIMIT - 40)}"}}}`)
  .map((s) => s.padEnd(BODY_LIMIT, " "));
