/**
 * The shape of README's "Architecture" section, checked on every import: imports only go down the layers,
 * services do not import each other, the product never imports the local stack, the local stack imports the
 * product only through its entry points and src/host/, bench/ never imports test/.
 * An edge the code still has and the shape forbids is listed in KNOWN below, each with why; the list may only
 * shrink (a listed edge that is gone fails the test, so a fix is recorded by deleting its line).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
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
  if (["src/cli", "src/http", "src/host"].includes(top) || /^(handlers|deploy)\//.test(path))
    return { layer: "entry", unit: path.split("/")[0] === "src" ? top : (path.split("/")[0] ?? path) };
  return { layer: "other", unit: top };
}

const LOCAL_PAST_SURFACE = "the local stack imports the product past its entry points and src/host/";

/**
 * Why an edge breaks the shape, or undefined when it is allowed. The local stack is a host of the product,
 * like a Lambda runtime: it may use what the product shows hosts (handlers/, src/cli/, src/http/, deploy/ and
 * src/host/, which re-exports the few services and pure pieces it needs), nothing below them.
 */
function violation(edge: Pick<ImportEdge, "from" | "to">): string | undefined {
  const from = placeOf(edge.from);
  const to = placeOf(edge.to);
  if (from.layer === "bench") return to.layer === "test" ? "bench/ imports test/" : undefined;
  if (from.layer === "local")
    return ["base", "domain", "service", "app"].includes(to.layer) ? LOCAL_PAST_SURFACE : undefined;
  if (from.layer === "test" || from.layer === "other") return undefined;
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

const key = (e: Pick<ImportEdge, "from" | "to">) => `${e.from} -> ${e.to}`;
const FOLDERS = ["src", "handlers", "deploy", "bench", "local"];
const graphOf = (root?: string) => sourceFiles(FOLDERS, root).flatMap((file) => importsOf(file, root));
const edges = graphOf();

/** The edges that break the shape and are not listed in KNOWN, as a reader would want them reported. */
const brokenEdges = (graph: ImportEdge[]) =>
  graph
    .filter((e) => violation(e) && !KNOWN.includes(key(e)))
    .map((e) => `${e.at}: ${violation(e)} (${e.to})`);

describe("the layers (README: Architecture)", () => {
  it("reads the import graph (a parser that found nothing would make every rule pass)", () => {
    expect(edges.length).toBeGreaterThan(300);
    expect(edges).toContainEqual(
      expect.objectContaining({ from: "handlers/schedule.ts", to: "src/app/on-schedule.ts" }),
    );
  });

  it("has no import that breaks the shape, apart from the known ones", () => {
    expect(brokenEdges(edges)).toEqual([]);
  });

  it("lists no known exception that is already fixed", () => {
    const present = new Set(edges.filter((e) => violation(e)).map(key));
    expect(KNOWN.filter((k) => !present.has(k))).toEqual([]);
  });
});

/**
 * The bag of everything a process wires (src/app/deps.ts: every client, the ledger, the catalogue …) is built
 * and named by the entry points only; a use case takes the part it touches (RunEndDeps, LaunchDeps …), and
 * reaches AWS through the services' ports, never the clients wholesale.
 */
describe("use cases take their part of the wiring", () => {
  const WIRING = ["src/app/deps.ts", "src/aws/clients.ts"];

  it("no src/app file imports the bag or the clients (deps.ts itself aside)", () => {
    const wired = edges
      .filter((e) => e.from.startsWith("src/app/") && e.from !== "src/app/deps.ts" && WIRING.includes(e.to))
      .map((e) => `${e.at}: ${e.to}`);
    expect(wired).toEqual([]);
  });

  it("sees the bag's own edges (the check would otherwise pass on a graph without them)", () => {
    expect(edges).toContainEqual(
      expect.objectContaining({ from: "src/app/deps.ts", to: "src/aws/clients.ts" }),
    );
    expect(edges).toContainEqual(
      expect.objectContaining({ from: "handlers/runtime.ts", to: "src/app/deps.ts" }),
    );
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

/** `file: package` for each package these files load at run time that the domain may not. */
const impurePackages = (files: string[]) =>
  files.flatMap((file) =>
    runtimePackagesOf(file)
      .filter((name) => !DOMAIN_PACKAGES.includes(name))
      .map((name) => `${file}: ${name}`),
  );

describe("the domain is pure", () => {
  const domain = sourceFiles(DOMAIN_ORDER);

  it("loads no SDK client and no I/O module (type-only imports of SDK shapes are fine)", () => {
    expect(domain.length).toBeGreaterThan(30);
    expect(impurePackages(domain)).toEqual([]);
  });

  it("src/host/domain.ts re-exports only modules that load no SDK client and no I/O module", () => {
    const sources = importsOf("src/host/domain.ts").map((e) => e.to);
    expect(sources.length).toBeGreaterThan(5);
    expect(impurePackages(sources)).toEqual([]);
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
    ["local/stack.ts", "src/ledger/dynamo.ts", LOCAL_PAST_SURFACE],
    ["local/dashboard/overview.ts", "src/runs/model.ts", LOCAL_PAST_SURFACE],
    ["local/lost-runs.ts", "src/app/on-run-final.ts", LOCAL_PAST_SURFACE],
    ["local/data-dir.ts", "src/errors.ts", LOCAL_PAST_SURFACE],
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
    ["local/stack.ts", "src/host/wiring.ts"],
    ["local/dashboard/overview.ts", "src/host/domain.ts"],
    ["local/handlers.ts", "handlers/status.ts"],
    ["local/stack.ts", "src/cli/local-stack-file.ts"],
    ["local/dashboard-data.ts", "src/http/overrides.ts"],
    ["local/aws/schedules.ts", "deploy/schedules.ts"],
    ["local/stack.ts", "local/ecs/index.ts"],
  ])("%s -> %s is allowed", (from, to) => {
    expect(violation({ from, to })).toBeUndefined();
  });

  describe("on a fixture tree whose local stack imports the ledger directly", () => {
    const root = mkdtempSync(join(tmpdir(), "ecs-jobs-architecture-"));
    afterAll(() => rmSync(root, { recursive: true, force: true }));
    const files: Record<string, string> = {
      "local/stack.ts": [
        'import { createClients } from "../src/host/wiring.ts";',
        'import { createStatusHandler } from "../handlers/status.ts";',
        'import { startEcsEmulator } from "./ecs/index.ts";',
      ].join("\n"),
      "local/open-ledger.ts": 'import type { RunLedger } from "../src/ledger/ledger.ts";\n',
      "local/ecs/index.ts": "export const startEcsEmulator = 1;\n",
      "src/host/wiring.ts": 'export { createClients } from "../aws/clients.ts";\n',
      "src/aws/clients.ts": "export const createClients = 1;\n",
      "src/ledger/ledger.ts": "export interface RunLedger {}\n",
      "handlers/status.ts": 'import { createClients } from "../src/host/wiring.ts";\n',
    };
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }

    it("reports the planted import, and only it", () => {
      expect(graphOf(root)).toHaveLength(6);
      expect(brokenEdges(graphOf(root))).toEqual([
        `local/open-ledger.ts:1: ${LOCAL_PAST_SURFACE} (src/ledger/ledger.ts)`,
      ]);
    });
  });
});
