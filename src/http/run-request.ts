/**
 * The body of POST /jobs/{name}/runs (and of `ecs-jobs run --set`), validated strictly: an unknown key is an
 * error naming it, not something silently ignored.
 */
import * as z from "zod/mini";
import { ValidationError } from "../errors.ts";
import { didYouMean } from "../jobspec/messages.ts";
import { MAX_TASK_COUNT } from "../jobspec/patterns.ts";
import { lazySchema } from "../zod-locale.ts";

export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** ECS container names: up to 255 letters, digits, hyphens and underscores. */
export const CONTAINER_NAME = /^[A-Za-z0-9_-]{1,255}$/;

/**
 * Built on its first use, not at import: only POST /jobs/{name}/runs with a body (and the CLI's `run --set`)
 * parses with it, while the http function's other routes, and a POST without a body, never do (~10 M
 * instructions of the http function's cold start, BENCHMARKS.md).
 */
export const RunRequestSchema = lazySchema(() => {
  const Command = z
    .array(z.string({ error: "expected a string" }), { error: "expected a list of strings" })
    .check(
      z.minLength(1, { error: "expected at least one item" }),
      z.maxLength(1000, { error: "expected at most 1000 items" }),
    );

  /** Values may hold anything, control characters included; names must be valid variable names. */
  const Environment = z
    .record(z.string(), z.string({ error: "expected a string" }), {
      error: "expected a map of names to strings",
    })
    .check(
      z.superRefine((env, ctx) => {
        for (const name of Object.keys(env)) {
          if (!ENV_NAME.test(name))
            ctx.addIssue({ code: "custom", path: [name], message: "expected an environment variable name" });
        }
      }),
    );

  const Size = z.pipe(
    z.union(
      [
        z.string().check(z.regex(/^[0-9A-Za-z .]{1,32}$/)),
        z.number().check(z.int(), z.positive(), z.lte(1_048_576)),
      ],
      { error: 'expected a size such as 1024 or "1 vCPU"' },
    ),
    z.transform(String),
  );

  const ContainerOverrides = z.strictObject({
    command: z.optional(Command),
    environment: z.optional(Environment),
  });

  const Overrides = z.strictObject({
    command: z.optional(Command),
    environment: z.optional(Environment),
    cpu: z.optional(Size),
    memory: z.optional(Size),
    containers: z.optional(
      z.record(z.string(), ContainerOverrides, { error: "expected a map of container names" }).check(
        z.superRefine((containers, ctx) => {
          for (const name of Object.keys(containers)) {
            if (!CONTAINER_NAME.test(name))
              ctx.addIssue({ code: "custom", path: [name], message: "expected a container name" });
          }
        }),
      ),
    ),
  });

  return z.strictObject(
    {
      overrides: z.optional(Overrides),
      count: z.optional(
        z
          .number({ error: `expected an integer 1..${MAX_TASK_COUNT}` })
          .check(
            z.int({ error: `expected an integer 1..${MAX_TASK_COUNT}` }),
            z.gte(1, { error: `expected 1..${MAX_TASK_COUNT}` }),
            z.lte(MAX_TASK_COUNT, { error: `expected 1..${MAX_TASK_COUNT}` }),
          ),
      ),
    },
    { error: "expected a JSON object" },
  );
});

export type RunRequest = z.output<typeof RunRequestSchema>;

/** The keys allowed at each level, for "did you mean". */
function knownKeys(path: readonly PropertyKey[]): string[] {
  if (path.length === 0) return ["overrides", "count"];
  if (path.length === 1) return ["command", "environment", "cpu", "memory", "containers"];
  return ["command", "environment"];
}

export function parseRunRequest(body: unknown): RunRequest {
  // No body is an empty request (what the schema makes of `{}`); a JSON `null` is not an object and is
  // refused like any other non-object.
  if (body === undefined) return {};
  const r = RunRequestSchema.safeParse(body);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  if (!issue) throw new ValidationError("invalid body", { field: "body" });
  const path = issue.path.map(String);
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0] ?? "";
    const field = [...path, key].join(".");
    throw new ValidationError(`${field}: unknown key${didYouMean(key, knownKeys(issue.path))}`, { field });
  }
  const field = path.join(".") || "body";
  throw new ValidationError(`${field}: ${issue.message}`, { field });
}
