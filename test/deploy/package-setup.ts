/**
 * vitest globalSetup of the "package" project: one `serverless package` of the example jobs, shared by every
 * test file that reads its output (each run costs ~7 s of CPU). It runs in the background from the start, so
 * the other files need not wait for it; a file that needs it waits for its result file (shared-package.ts).
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { TestProject } from "vitest/node";
import { type PackageRun, runPackage } from "../../gen/package-run.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** Where the example jobs' package run writes its PackageRun (JSON) once it has ended. */
    examplePackageResult: string;
  }
}

export default function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), "ecs-jobs-shared-package-"));
  const result = join(dir, "result.json");
  // Only a hang should hit the timeout: the package takes ~7 s alone, several times that on a busy machine.
  const running: Promise<PackageRun | undefined> = runPackage({ timeoutMs: 600_000 }).then(
    (run) => {
      // Written whole, then renamed: a reader never sees half a file.
      writeFileSync(`${result}.part`, JSON.stringify(run));
      renameSync(`${result}.part`, result);
      return run;
    },
    (error: unknown) => {
      const run = { code: -1, output: `serverless package did not run: ${error}`, ms: 0, dir: "" };
      writeFileSync(`${result}.part`, JSON.stringify(run));
      renameSync(`${result}.part`, result);
      return undefined;
    },
  );
  project.provide("examplePackageResult", result);
  return async () => {
    const run = await running;
    if (run) rmSync(dirname(run.dir), { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  };
}
