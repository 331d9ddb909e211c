/**
 * The jobs a deployment knows. In Lambda it is the JSON written at package time (already validated, so a
 * cold start parses no YAML and runs no zod); locally and in the CLI it is read from the jobs folder.
 */
import type { LauncherRoles } from "../jobspec/launcher-roles.ts";
import type { Job } from "../jobspec/schema.ts";

/** The file name inside each function bundle; ECS_JOBS_CATALOG points at it. Here, not in build.ts, so that
 * a handler reading the catalogue does not bundle the YAML loader build.ts needs. */
export const CATALOG_FILE_NAME = "jobs.json";

export interface Catalog {
  readonly jobs: readonly Job[];
  get(name: string): Job | undefined;
  /** Absent when every launch goes with the function's own role (the usual case). */
  readonly launcherRoles?: LauncherRoles;
}

export function catalogOf(jobs: readonly Job[], launcherRoles?: LauncherRoles): Catalog {
  const byName = new Map(jobs.map((j) => [j.name, j]));
  return { jobs, get: (name) => byName.get(name), ...(launcherRoles && { launcherRoles }) };
}

/** The packaged form: `{ version: 1, jobs: Job[], launcherRoles? }`. */
export interface CatalogFile {
  version: 1;
  jobs: Job[];
  launcherRoles?: LauncherRoles;
}

export const catalogFile = (jobs: readonly Job[], launcherRoles?: LauncherRoles): CatalogFile => ({
  version: 1,
  jobs: [...jobs],
  ...(launcherRoles && Object.keys(launcherRoles).length > 0 && { launcherRoles }),
});

export function catalogFromFile(file: CatalogFile): Catalog {
  if (file?.version !== 1 || !Array.isArray(file.jobs))
    throw new Error("the job catalogue has an unknown format");
  return catalogOf(file.jobs, file.launcherRoles);
}
