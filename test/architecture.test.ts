/**
 * The shape of README's "Architecture" section, checked on every import: imports only go down the layers,
 * services do not import each other, the product never imports the local stack, bench/ never imports test/.
 * An edge the code still has and the shape forbids is listed in KNOWN below, each with why; the list may only
 * shrink (a listed edge that is gone fails the test, so a fix is recorded by deleting its line).
 */
import { describe, expect, it } from "vitest";
import { type ImportEdge, importsOf, runtimePackagesOf, sourceFiles } from "./support/import-graph.ts";

/** Higher imports lower, never the reverse. */
const RANK = { base: 0, domain: 1, service: 2, app: 3, entry: 4 } as const;
type Layer = keyof typeof RANK;

/**
 * The domain's own order: a job spec is written in schedule expressions, a run is of a job spec, and an
 * event that starts something names runs and jobs. Lower may not import higher.
 */
const DOMAIN_ORDER = ["src/schedule", "src/jobspec", "src/runs", "src/triggers"];
const SERVICES = [
  "src/launch",
  "src/ledger",
  "src/alerts",
  "src/logs",
  "src/scheduler",
  "src/catalog",
  "src/metrics",
];

interface Place {
  layer: Layer | "local" | "bench" | "test" | "other";
  /** The folder a file belongs to within its layer (`src/launch`), for the sibling rules. */
  unit: string;
}

function placeOf(path: string): Place {
  const top = path.split("/").slice(0, 2).join("/");
  if (path.startsWith("src/local/") || path.startsWith("local/")) return { layer: "local", unit: "local" };
  if (path.startsWith("bench/")) return { layer: "bench", unit: "bench" };
  if (path.startsWith("test/")) return { layer: "test", unit: "test" };
  if (["src/aws", "src/errors.ts", "src/config.ts", "src/log.ts", "src/zod-locale.ts"].includes(top))
    return { layer: "base", unit: top };
  if (DOMAIN_ORDER.includes(top)) return { layer: "domain", unit: top };
  if (SERVICES.includes(top)) return { layer: "service", unit: top };
  if (top === "src/app") return { layer: "app", unit: top };
  if (["src/cli", "src/http"].includes(top) || /^(handlers|deploy)\//.test(path))
    return { layer: "entry", unit: path.split("/")[0] === "src" ? top : (path.split("/")[0] ?? path) };
  return { layer: "other", unit: top };
}

/** Why an edge breaks the shape, or undefined when it is allowed. */
function violation(edge: Pick<ImportEdge, "from" | "to">): string | undefined {
  const from = placeOf(edge.from);
  const to = placeOf(edge.to);
  if (from.layer === "bench") return to.layer === "test" ? "bench/ imports test/" : undefined;
  if (from.layer === "local" || from.layer === "test" || from.layer === "other") return undefined;
  if (to.layer === "local") return "the product imports the local stack";
  if (to.layer === "bench" || to.layer === "test") return `the product imports ${to.layer}/`;
  if (to.layer === "other") return undefined;
  if (RANK[to.layer] > RANK[from.layer]) return `upward: ${from.layer} imports ${to.layer}`;
  if (from.layer === "service" && to.layer === "service" && from.unit !== to.unit)
    return "a service imports another service";
  if (from.layer === "domain" && to.layer === "domain")
    if (DOMAIN_ORDER.indexOf(to.unit) > DOMAIN_ORDER.indexOf(from.unit))
      return `upward in the domain: ${from.unit} imports ${to.unit}`;
  return undefined;
}

/**
 * Edges the shape forbids that the code still has, `from -> to`. Each is work left, not a rule: delete the
 * line with the fix.
 */
const KNOWN: string[] = [];

const edges = sourceFiles(["src", "handlers", "deploy", "bench", "local"]).flatMap(importsOf);
const key = (e: Pick<ImportEdge, "from" | "to">) => `${e.from} -> ${e.to}`;

describe("the layers (README: Architecture)", () => {
  it("reads the import graph (a parser that found nothing would make every rule pass)", () => {
    expect(edges.length).toBeGreaterThan(300);
    expect(edges).toContainEqual(
      expect.objectContaining({ from: "handlers/schedule.ts", to: "src/app/on-schedule.ts" }),
    );
  });

  it("has no import that breaks the shape, apart from the known ones", () => {
    const broken = edges
      .filter((e) => violation(e) && !KNOWN.includes(key(e)))
      .map((e) => `${e.at}: ${violation(e)} (${e.to})`);
    expect(broken).toEqual([]);
  });

  it("lists no known exception that is already fixed", () => {
    const present = new Set(edges.filter((e) => violation(e)).map(key));
    expect(KNOWN.filter((k) => !present.has(k))).toEqual([]);
  });
});

/**
 * What the pure domain may load: validation, text and time helpers. No SDK client, no file, socket or
 * process: a domain test needs no mock, and the domain runs the same in a Lambda, the CLI and a browser.
 */
const DOMAIN_PACKAGES = [
  "zod",
  "zod/mini",
  "cronstrue",
  "fastest-levenshtein",
  "js-yaml",
  "yaml",
  "node:crypto",
];

describe("the domain is pure", () => {
  const domain = sourceFiles(DOMAIN_ORDER);

  it("loads no SDK client and no I/O module (type-only imports of SDK shapes are fine)", () => {
    expect(domain.length).toBeGreaterThan(30);
    const impure = domain.flatMap((file) =>
      runtimePackagesOf(file)
        .filter((name) => !DOMAIN_PACKAGES.includes(name))
        .map((name) => `${file}: ${name}`),
    );
    expect(impure).toEqual([]);
  });

  it("sees a value import of an SDK client (the check would otherwise pass on anything)", () => {
    expect(runtimePackagesOf("src/launch/batch.ts")).toContain("@aws-sdk/client-ecs");
    expect(runtimePackagesOf("src/jobspec/requests.ts")).not.toContain("@aws-sdk/client-ecs");
  });
});

describe("names", () => {
  it("no two files of the product share a name (a `commands/` file is named after its command)", () => {
    const byName = new Map<string, string[]>();
    for (const file of sourceFiles(["src", "handlers"])) {
      if (file.startsWith("src/local/") || file.startsWith("src/cli/commands/")) continue;
      const name = file.split("/").at(-1) as string;
      byName.set(name, [...(byName.get(name) ?? []), file]);
    }
    expect([...byName.values()].filter((files) => files.length > 1)).toEqual([]);
  });
});

describe("the rules themselves", () => {
  it.each([
    ["src/runs/model.ts", "src/app/launch-run.ts", "upward: domain imports app"],
    ["src/aws/clients.ts", "src/runs/model.ts", "upward: base imports domain"],
    ["src/launch/batch.ts", "src/ledger/ledger.ts", "a service imports another service"],
    ["src/jobspec/rules.ts", "src/runs/model.ts", "upward in the domain: src/jobspec imports src/runs"],
    ["src/app/sweep.ts", "src/local/stack.ts", "the product imports the local stack"],
    ["handlers/status.ts", "local/stack.ts", "the product imports the local stack"],
    ["bench/status.ts", "test/support/events.ts", "bench/ imports test/"],
  ])("%s -> %s is refused: %s", (from, to, why) => {
    expect(violation({ from, to })).toBe(why);
  });

  it.each([
    ["handlers/status.ts", "src/app/on-task-events.ts"],
    ["src/app/sweep.ts", "src/ledger/ledger.ts"],
    ["src/launch/batch.ts", "src/runs/model.ts"],
    ["src/runs/model.ts", "src/jobspec/requests.ts"],
    ["src/ledger/run-store.ts", "src/ledger/cache.ts"],
    ["src/local/stack.ts", "handlers/status.ts"],
    ["bench/status.ts", "handlers/status.ts"],
  ])("%s -> %s is allowed", (from, to) => {
    expect(violation({ from, to })).toBeUndefined();
  });
});
