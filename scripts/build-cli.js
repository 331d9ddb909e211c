#!/usr/bin/env node
/**
 * Builds the CLI bundle that bin/ecs-jobs.js prefers: dist/cli/main.mjs and its chunks (git-ignored), run at
 * install time. Why: started from the TypeScript sources, ~70% of a command's time is Node's module loader
 * (type stripping ~400 files, lexing the SDK's CommonJS builds); the bundle has neither.
 *
 * ESM with code splitting keeps every dynamic import a separate chunk, so `--version` loads commander and
 * main only, and `validate` never loads the SDK. `ecs-jobs dev` stays on the sources (bin/ routes it there):
 * the local stack imports the Lambda handlers from their TypeScript files, and a bundled stack would hold a
 * second copy of every module they share (errors, ledger) with it.
 *
 * The bundle is built into a fresh folder, then swapped in, and main.mjs is dated to when the build started:
 * bin/ treats the bundle as stale when any file under src/ or local/ (or package.json) is newer than that.
 */
import { mkdirSync, renameSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";

const ROOT = join(import.meta.dirname, "..");
export const OUT_DIR = join(ROOT, "dist", "cli");
const ENTRY = join(ROOT, "src", "cli", "main.ts");
/** The project's own TypeScript (the CLI imports nothing of local/: bin/ hands `dev` the local stack). */
const OWN = [join(ROOT, "src") + sep];

/** CommonJS dependencies call require() for Node built-ins; an ESM chunk has no require of its own. */
const REQUIRE_SHIM =
  'import { createRequire as __ecsJobsCreateRequire } from "node:module"; const require = __ecsJobsCreateRequire(import.meta.url);';

const BUILTIN = "ecs-jobs-builtin";
const UNDICI_GETTERS = ["WebSocket", "CloseEvent", "MessageEvent"];

/** @type {import("esbuild").Plugin} */
const sourcesPlugin = {
  name: "ecs-jobs-cli",
  setup(b) {
    // An ES import of node:http (the SDK's request handler makes one) reads every export of the module, and
    // three of them are lazy getters that load undici, Node's fetch: ~20 ms of `ecs-jobs run`. The bundle
    // takes http from process.getBuiltinModule instead, with the same exports but those three.
    b.onResolve({ filter: /^(node:)?http$/ }, () => ({ path: "node:http", namespace: BUILTIN }));
    b.onLoad({ filter: /.*/, namespace: BUILTIN }, (args) => {
      const names = Object.keys(process.getBuiltinModule(args.path)).filter(
        (n) => !UNDICI_GETTERS.includes(n) && /^[A-Za-z_$][\w$]*$/.test(n),
      );
      return {
        contents: `const m = process.getBuiltinModule(${JSON.stringify(args.path)});\nexport default m;\nexport const { ${names.join(", ")} } = m;\n`,
        loader: "js",
      };
    });
    // A bundled module's import.meta is the chunk's, not the source file's: a path built from it would be
    // wrong. Such modules must stay on the sources, like the local stack.
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (!OWN.some((dir) => args.path.startsWith(dir))) return undefined;
      const { readFile } = await import("node:fs/promises");
      const text = await readFile(args.path, "utf8");
      if (/import\.meta\.(url|dirname|filename)/.test(text))
        return { errors: [{ text: `${relative(ROOT, args.path)} uses import.meta: it cannot be bundled` }] };
      return { contents: text, loader: "ts" };
    });
  },
};

export async function buildCli() {
  const { build } = await import("esbuild");
  const startedAt = new Date();
  const tmp = `${OUT_DIR}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(dirname(OUT_DIR), { recursive: true });
  try {
    await build({
      entryPoints: { main: ENTRY },
      outdir: tmp,
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "node",
      target: "node22",
      // The SDK's ES module builds: esbuild drops the commands the CLI never sends (the CommonJS builds keep all).
      mainFields: ["module", "main"],
      outExtension: { ".js": ".mjs" },
      // Class names are part of the output (EcsJobsError sets name from new.target.name): never renamed.
      keepNames: true,
      banner: { js: REQUIRE_SHIM },
      plugins: [sourcesPlugin],
      logLevel: "warning",
    });
    // Node reads dist/cli/*.mjs as ESM by their extension; this keeps a parent package.json out of it.
    writeFileSync(join(tmp, "package.json"), '{ "type": "module" }\n');
    // Dated to the start of the build: a source saved while it ran makes the bundle stale, as it should.
    utimesSync(join(tmp, "main.mjs"), startedAt, startedAt);
    rmSync(OUT_DIR, { recursive: true, force: true });
    renameSync(tmp, OUT_DIR);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return OUT_DIR;
}

if (process.argv[1] && join(process.argv[1]) === join(import.meta.filename)) {
  // Run by install: without the dev dependencies (npm install --omit=dev) there is no esbuild, and the CLI
  // simply runs from its sources; that must not fail the install.
  if (!(await import("esbuild").then(() => true).catch(() => false))) {
    process.stdout.write("ecs-jobs: esbuild is not installed; the CLI runs from its TypeScript sources\n");
  } else {
    const out = await buildCli();
    process.stdout.write(`ecs-jobs: CLI bundle built in ${relative(process.cwd(), out) || out}\n`);
  }
}
