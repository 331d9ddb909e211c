/** A packaged function's files, loaded as Lambda loads them (the package and deploy-function tests). */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { expect } from "vitest";
import { ROOT } from "../../gen/package-run.ts";
import { REGION } from "./template-iam.ts";

/**
 * The bundle loads on its own, as Lambda loads it: from the archive root, with the function's environment;
 * and so does each of `chunks` (the ones behind import() included), which proves their own imports are there.
 */
export async function expectLoads(key: string, zip: Map<string, Buffer>, entry: string, chunks: string[]) {
  const dir = mkdtempSync(join(tmpdir(), `ecs-jobs-bundle-${key}-`));
  for (const [name, data] of zip) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), data);
  }
  const script =
    `const m = await import(${JSON.stringify(join(dir, entry))}); if (typeof m.handler !== "function") { console.error("no handler export"); process.exit(3); }` +
    chunks.map((c) => `await import(${JSON.stringify(join(dir, c))});`).join("");
  const { stderr } = await promisify(execFile)(
    join(ROOT, "node_modules", ".bin", "node"),
    ["--input-type=module", "-e", script],
    {
      cwd: dir,
      timeout: 120_000,
      env: {
        PATH: process.env.PATH ?? "",
        AWS_REGION: REGION,
        AWS_ACCESS_KEY_ID: "AKIAEXAMPLE",
        AWS_SECRET_ACCESS_KEY: "example",
        ECS_JOBS_TABLE: "ecs-jobs-test-runs",
        ECS_JOBS_EVENT_BUS: "default",
        ECS_JOBS_SCHEDULE_GROUP: "ecs-jobs-test",
        ECS_JOBS_RETENTION_DAYS: "90",
        ECS_JOBS_CATALOG: "./jobs.json",
      },
    },
  );
  expect(stderr).not.toMatch(/Error/);
}
