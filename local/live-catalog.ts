/**
 * The jobs the local stack serves, replaceable while it runs (`ecs-jobs dev` picks up edits of the jobs
 * folder): every reader goes through the same Catalog object, which reads the current set on each call.
 */
import type { Job } from "../src/host/domain.ts";
import { type Catalog, catalogOf } from "../src/host/wiring.ts";

export interface JobsChange {
  added: string[];
  changed: string[];
  removed: string[];
}

export function createLiveCatalog(initial: readonly Job[]): {
  catalog: Catalog;
  replace(jobs: readonly Job[]): JobsChange;
} {
  let current = catalogOf(initial);
  return {
    catalog: {
      get jobs() {
        return current.jobs;
      },
      get: (name) => current.get(name),
    },
    replace(jobs) {
      const before = current;
      const next = catalogOf(jobs);
      const same = (j: Job) => JSON.stringify(before.get(j.name)) === JSON.stringify(j);
      current = next;
      return {
        added: jobs.filter((j) => !before.get(j.name)).map((j) => j.name),
        changed: jobs.filter((j) => before.get(j.name) && !same(j)).map((j) => j.name),
        removed: before.jobs.filter((j) => !next.get(j.name)).map((j) => j.name),
      };
    },
  };
}
