/**
 * The handler bundles as they are deployed: esbuild with serverless.yml's `custom.esbuild` options (read from
 * the file, so the benchmark follows any change there), with esbuild's metafile to say what fills them.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { type BuildOptions, build, type Metafile } from "esbuild";
import { load as parse } from "js-yaml";
import { ROOT } from "./lib.ts";

export const HANDLERS = ["schedule", "http", "instance-launch", "status", "sweeper"] as const;
export type HandlerName = (typeof HANDLERS)[number];

/** The SDK client packages a handler may bundle. */
export const CLIENT_PACKAGES = [
  "client-cloudwatch-logs",
  "client-dynamodb",
  "client-ecs",
  "client-eventbridge",
  "client-scheduler",
  "client-sns",
] as const;

interface EsbuildConfig {
  minify?: boolean;
  format?: BuildOptions["format"];
  platform?: BuildOptions["platform"];
  target?: string;
  mainFields?: string[];
  outputFileExtension?: string;
  splitting?: boolean;
  banner?: { js?: string };
  /** Paths relative to the project root, as serverless runs esbuild there. */
  alias?: Record<string, string>;
}

export function serverlessEsbuildOptions(): EsbuildConfig {
  const doc = parse(readFileSync(join(ROOT, "serverless.yml"), "utf8")) as {
    custom: { esbuild: EsbuildConfig };
  };
  return doc.custom.esbuild;
}

export interface Bundle {
  name: HandlerName;
  file: string;
  /** The entry file and the chunks it loads, at once or on a dynamic import (`splitting`). */
  files: string[];
  /** All of `files`: the code in the function's zip. */
  bytes: number;
  /** The entry and the chunks it imports statically: the code a cold start reads and evaluates. */
  loadedBytes: number;
  /** The @aws-sdk/client-* packages in that code (the others wait behind an `import()`). */
  clientsAtLoad: string[];
  /** Bytes in the output by package (`(own)` for this repository's code), largest first. */
  byPackage: [string, number][];
  /** The @aws-sdk/client-* packages the bundle holds. */
  clients: string[];
}

/** The output `key` and the outputs it imports statically, transitively (a dynamic `import()` is not followed). */
function loadedAtImport(meta: Metafile, key: string, seen = new Set<string>()): Set<string> {
  if (seen.has(key)) return seen;
  seen.add(key);
  for (const i of meta.outputs[key]?.imports ?? [])
    if (i.kind === "import-statement" && meta.outputs[i.path]) loadedAtImport(meta, i.path, seen);
  return seen;
}

const clientsOf = (byPackage: [string, number][]) =>
  byPackage
    .map(([p]) => p.replace("@aws-sdk/", ""))
    .filter((p) => (CLIENT_PACKAGES as readonly string[]).includes(p))
    .sort();

function packageOf(input: string): string {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  return m ? (m[1] as string) : "(own)";
}

/** Bytes by package over the given outputs (by default all: the entry and its chunks). */
function breakdown(meta: Metafile, name: string, keys = Object.keys(meta.outputs)): Bundle["byPackage"] {
  const outs = keys.map((k) => meta.outputs[k]).filter((o) => o !== undefined);
  if (outs.length === 0) throw new Error(`esbuild wrote no output for ${name}`);
  const sizes = new Map<string, number>();
  for (const out of outs)
    for (const [input, { bytesInOutput }] of Object.entries(out.inputs))
      sizes.set(packageOf(input), (sizes.get(packageOf(input)) ?? 0) + bytesInOutput);
  return [...sizes].sort((a, b) => b[1] - a[1]);
}

/**
/**
 * One entry point bundled into `file`'s folder with serverless.yml's esbuild options (as serverless-esbuild
 * does: `outdir`, so that with `splitting` the dynamic imports land in chunk files beside it), plus `alias` (a
 * benchmark's variant of the bundle); its metafile.
 */
export async function bundle(
  entry: string,
  file: string,
  alias: Record<string, string> = {},
): Promise<Metafile> {
  const o = serverlessEsbuildOptions();
  const result = await build({
    entryPoints: { [basename(file, extension())]: entry },
    bundle: true,
    outdir: dirname(file),
    outExtension: { ".js": extension() },
    splitting: o.splitting ?? false,
    minify: o.minify ?? true,
    format: o.format ?? "esm",
    platform: o.platform ?? "node",
    target: o.target ?? "node22",
    mainFields: o.mainFields ?? ["module", "main"],
    ...(o.banner?.js && { banner: { js: o.banner.js } }),
    alias: { ...o.alias, ...alias },
    absWorkingDir: ROOT,
    metafile: true,
    logLevel: "silent",
  });
  return result.metafile;
}

const extension = () => serverlessEsbuildOptions().outputFileExtension ?? ".mjs";

/** Builds every handler into `outDir` (one .mjs each) as serverless-esbuild would. */
export async function buildHandlers(outDir: string): Promise<Bundle[]> {
  mkdirSync(outDir, { recursive: true });
  const bundles: Bundle[] = [];
  for (const name of HANDLERS) {
    const file = join(outDir, `${name}${extension()}`);
    const meta = await bundle(join(ROOT, "handlers", `${name}.ts`), file);
    const byPackage = breakdown(meta, name);
    // A chunk behind `import()` has an entryPoint too (its module): the handler's is the one to start from.
    const entry = Object.keys(meta.outputs).find(
      (k) => meta.outputs[k]?.entryPoint === `handlers/${name}.ts`,
    );
    if (!entry) throw new Error(`esbuild wrote no entry for ${name}`);
    const loaded = [...loadedAtImport(meta, entry)];
    bundles.push({
      name,
      file,
      files: Object.keys(meta.outputs).map((o) => resolve(ROOT, o)),
      // The entry and its chunks: what the function's zip needs.
      bytes: Object.values(meta.outputs).reduce((sum, o) => sum + o.bytes, 0),
      loadedBytes: loaded.reduce((sum, k) => sum + (meta.outputs[k]?.bytes ?? 0), 0),
      byPackage,
      clients: clientsOf(byPackage),
      clientsAtLoad: clientsOf(breakdown(meta, name, loaded)),
    });
  }
  return bundles;
}

/** The cold start peers (bench/peers/*.ts): bare hand-written handlers, bundled with the same options. */
export const PEERS = ["ecs-dynamodb", "dynamodb"] as const;
export type PeerName = (typeof PEERS)[number];

/** Builds each peer into `outDir` (`peer-<name>.mjs`); the files by peer. */
export async function buildPeers(outDir: string): Promise<Record<PeerName, string>> {
  mkdirSync(outDir, { recursive: true });
  const files = {} as Record<PeerName, string>;
  for (const name of PEERS) {
    files[name] = join(outDir, `peer-${name}${extension()}`);
    await bundle(join(ROOT, "bench", "peers", `${name}.ts`), files[name]);
  }
  return files;
}
