#!/usr/bin/env node
// The one test command (README, CI): typecheck, lint, vitest — then a plain summary line.
// Typecheck and lint count as one test each so a type or lint error can never hide behind green tests.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const bin = (name) => join(import.meta.dirname, "..", "node_modules", ".bin", name);
const run = (label, cmd, args) => {
  process.stdout.write(`\n== ${label}\n`);
  const r = spawnSync(cmd, args, { stdio: "inherit" });
  return r.status === 0;
};

let passed = 0;
let failed = 0;
for (const [label, cmd, args] of [
  ["typecheck", bin("tsc"), ["--noEmit", "-p", "."]],
  ["lint", bin("biome"), ["check", "."]],
]) {
  if (run(label, cmd, args)) passed++;
  else failed++;
}

const dir = mkdtempSync(join(tmpdir(), "ecs-jobs-vitest-"));
const report = join(dir, "report.json");
const extra = process.argv.slice(2);
run("vitest", bin("vitest"), [
  "run",
  "--reporter=default",
  "--reporter=json",
  `--outputFile.json=${report}`,
  ...extra,
]);
try {
  const json = JSON.parse(readFileSync(report, "utf8"));
  passed += json.numPassedTests;
  failed += json.numFailedTests;
  // A suite that fails to load (syntax error, failing beforeAll) has no failed tests of its own: count it.
  for (const suite of json.testResults ?? []) {
    if (suite.status === "failed" && !(suite.assertionResults ?? []).some((a) => a.status === "failed"))
      failed++;
  }
} catch {
  process.stdout.write("vitest wrote no report\n");
  failed++;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.stdout.write(`\ntests: ${passed} passed, ${failed} failed\n`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
