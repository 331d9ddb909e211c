#!/usr/bin/env node
// The test commands (README, CI), each ending with one summary line.
//   node scripts/test.js          (npm test): typecheck and lint, alongside vitest (every project)
//   node scripts/test.js --deep   (npm run test:deep): the long runs that do not fit in npm test's time
//                                  budget (the HTTP fuzz at 10,000 requests, the fan-out at 10,000
//                                  tasks, `deploy function` of every function); .ci/run runs both
// Extra arguments go to vitest. Typecheck and lint are listed apart from the vitest tests on the summary
// line, so neither can fail silently and the test count is only tests that ran.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const bin = (name) => join(import.meta.dirname, "..", "node_modules", ".bin", name);

/** Runs a command; `capture` keeps its output to print in one piece later (it runs alongside vitest). */
function run(cmd, args, { capture = false, env = process.env } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: capture ? ["ignore", "pipe", "pipe"] : "inherit", env });
    let output = "";
    if (capture) {
      child.stdout.setEncoding("utf8").on("data", (d) => (output += d));
      child.stderr.setEncoding("utf8").on("data", (d) => (output += d));
    }
    child.once("error", (error) => resolve({ ok: false, output: `${output}${error.message}\n` }));
    child.once("close", (code) => resolve({ ok: code === 0, output }));
  });
}

/** vitest with a JSON report: what ran, passed, failed, and what was skipped (not run). */
async function vitest(args, env) {
  const dir = mkdtempSync(join(tmpdir(), "ecs-jobs-vitest-"));
  const report = join(dir, "report.json");
  process.stdout.write("\n== vitest\n");
  await run(
    bin("vitest"),
    ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...args],
    {
      env,
    },
  );
  try {
    const json = JSON.parse(readFileSync(report, "utf8"));
    let failed = json.numFailedTests;
    // A file that fails to load (syntax error, failing beforeAll) has no failed tests of its own: count it.
    for (const suite of json.testResults ?? [])
      if (suite.status === "failed" && !(suite.assertionResults ?? []).some((a) => a.status === "failed"))
        failed++;
    return {
      passed: json.numPassedTests,
      failed,
      skipped: json.numPendingTests + json.numTodoTests,
      files: (json.testResults ?? []).length,
    };
  } catch {
    process.stdout.write("vitest wrote no report\n");
    return { passed: 0, failed: 1, skipped: 0, files: 0 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const argv = process.argv.slice(2);
const deep = argv.includes("--deep");
const extra = argv.filter((a) => a !== "--deep");

let checks = [];
let result;
if (deep) {
  result = await vitest(
    [
      "test/hardening/http-fuzz.test.ts",
      "test/local/scale/fanout.test.ts",
      "test/moto/deploy-function.test.ts",
      ...extra,
    ],
    {
      ...process.env,
      FUZZ_REQUESTS: process.env.FUZZ_REQUESTS ?? "10000",
      SCALE_TASKS: process.env.SCALE_TASKS ?? "10000",
      DEPLOY_FUNCTION_ALL: process.env.DEPLOY_FUNCTION_ALL ?? "1",
    },
  );
} else {
  // Both start now and print when vitest is done: on 2 cores they fill the gaps of vitest's waiting workers.
  const typecheck = run(bin("tsc"), ["--noEmit", "-p", "."], { capture: true });
  const lint = run(bin("biome"), ["check", "."], { capture: true });
  result = await vitest(extra, process.env);
  checks = [
    ["typecheck", await typecheck],
    ["lint", await lint],
  ];
  for (const [label, r] of checks)
    process.stdout.write(`\n== ${label}: ${r.ok ? "passed" : "FAILED"}\n${r.output}`);
}

const checkText = checks.map(([label, r]) => `; ${label}: ${r.ok ? "passed" : "FAILED"}`).join("");
const skipped = result.skipped > 0 ? `, ${result.skipped} skipped (not run)` : "";
process.stdout.write(
  `\ntests: ${result.passed} passed, ${result.failed} failed${skipped} (vitest, ${result.files} files)${checkText}\n`,
);
const ok = result.failed === 0 && result.passed > 0 && checks.every(([, r]) => r.ok);
process.exit(ok ? 0 : 1);
