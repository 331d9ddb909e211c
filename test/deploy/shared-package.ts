/** The example jobs' package, run once per test run by package-setup.ts, for the files that read it. */
import { existsSync, readFileSync, watch } from "node:fs";
import { basename, dirname } from "node:path";
import { inject } from "vitest";
import { type Packaged, type PackageRun, readPackaged } from "../../gen/package-run.ts";

/** Resolves once `path` exists: on the folder's change events, not by polling. */
function fileCreated(path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const watcher = watch(dirname(path), (_, name) => {
      if (name === basename(path) && existsSync(path)) {
        watcher.close();
        resolve();
      }
    });
    watcher.on("error", reject);
    // Created before the watcher started: no event will come.
    if (existsSync(path)) {
      watcher.close();
      resolve();
    }
  });
}

let shared: Promise<Packaged> | undefined;

/** The shared package of the example jobs; fails like packageOrThrow() when `serverless package` failed. */
export function examplePackage(): Promise<Packaged> {
  shared ??= (async () => {
    const result = inject("examplePackageResult");
    if (!result)
      throw new Error("no shared package: run this file in vitest's package project (vitest.config.ts)");
    await fileCreated(result);
    return readPackaged(JSON.parse(readFileSync(result, "utf8")) as PackageRun);
  })();
  return shared;
}
