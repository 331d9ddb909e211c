/**
 * The jobs a deployment knows. In Lambda it is the JSON written at package time (already validated, so a
 * cold start parses no YAML and runs no zod); locally and in the CLI it is read from the jobs folder.
 */
import type { Job } from "../jobspec/schema.ts";

/** The file name inside each function bundle; ECS_JOBS_CATALOG points at it. Here, not in build.ts, so that
 * a handler reading the catalogue does not bundle the YAML loader build.ts needs. */
export const CATALOG_FILE_NAME = "jobs.json";

export interface Catalog {
  readonly jobs: readonly Job[];
  get(name: string): Job | undefined;
}

export function catalogOf(jobs: readonly Job[]): Catalog {
  const byName = new Map(jobs.map((j) => [j.name, j]));
  return { jobs, get: (name) => byName.get(name) };
}

/** The packaged form: `{ version: 1, jobs: Job[] }`. */
export interface CatalogFile {
  version: 1;
  jobs: Job[];
}

export const catalogFile = (jobs: readonly Job[]): CatalogFile => ({ version: 1, jobs: [...jobs] });

export function catalogFromFile(file: CatalogFile): Catalog {
  if (file?.version !== 1 || !Array.isArray(file.jobs))
    throw new Error("the job catalogue has an unknown format");
  return catalogOf(file.jobs);
}
