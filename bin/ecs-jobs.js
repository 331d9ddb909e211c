#!/usr/bin/env node
// The sources are TypeScript run by Node's type stripping, which Node 22.18+ has on by default.
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(
    `ecs-jobs needs Node 22.18 or newer (this is ${process.version}). Run it through npx or npm run, which use the pinned Node 22.\n`,
  );
  process.exit(2);
}
const { runCli } = await import("../src/cli/main.ts");
process.exitCode = await runCli(process.argv.slice(2));
