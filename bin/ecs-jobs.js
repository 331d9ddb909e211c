#!/usr/bin/env node
// Runs the CLI bundle (dist/cli/, built at install by scripts/build-cli.js) when it is up to date with src/,
// else the TypeScript sources, run by Node's type stripping, which Node 22.18+ has on by default.
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(
    `ecs-jobs needs Node 22.18 or newer (this is ${process.version}). Run it through npx or npm run, which use the pinned Node 22.\n`,
  );
  process.exit(2);
}
const { bundleEntry } = await import("./cli-bundle.js");
const bundle = bundleEntry(process.argv.slice(2), process.env);
if (bundle) {
  // The bundle's chunks are plain JavaScript: V8's code cache for them is kept beside them.
  process.getBuiltinModule("node:module").enableCompileCache?.(bundle.cacheDir);
}
const { runCli } = await import(bundle ? bundle.url : "../src/cli/main.ts");
// This entry has both the CLI and the local stack; the CLI itself never imports local/ (README: Architecture).
const localStack = () => import("../local/stack.ts");
process.exitCode = await runCli(process.argv.slice(2), { io: { localStack } });
