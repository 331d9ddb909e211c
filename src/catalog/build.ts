/**
 * The packaged job catalogue: the jobs folder validated once at package time and written as JSON, so a
 * Lambda cold start reads one file instead of parsing YAML (see catalog.ts).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { SpecError } from "../errors.ts";
import type { LauncherRoles } from "../jobspec/launcher-roles.ts";
import type { Job } from "../jobspec/schema.ts";
import { type CatalogFile, catalogFile } from "./catalog.ts";
import { loadJobsDir } from "./read-dir.ts";

export { CATALOG_FILE_NAME } from "./catalog.ts";

/** Loads and validates a jobs folder; any invalid spec fails the whole build with every issue listed. */
export function loadValidJobs(dir: string, cwd?: string): Job[] {
  const { jobs, issues } = loadJobsDir(dir, cwd);
  if (issues.length > 0) throw new SpecError(issues);
  return jobs;
}

export function serializeCatalog(jobs: readonly Job[], launcherRoles?: LauncherRoles): string {
  const file: CatalogFile = catalogFile(jobs, launcherRoles);
  return JSON.stringify(file);
}

export function writeCatalog(path: string, jobs: readonly Job[], launcherRoles?: LauncherRoles): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, serializeCatalog(jobs, launcherRoles));
}
