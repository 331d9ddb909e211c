/**
 * The run-end steps (run-end-steps.ts) as a dependency loaded on first use. The Lambda handlers pass
 * `runEnd` (an `import()` of their own, so esbuild makes one chunk of that code); the CLI, the local stack
 * and tests may leave it out and get the same module by this file's `import()`. The guards below are
 * onRunFinal's own early returns, so a run that needs nothing does not load the chunk.
 */
import { alertWanted } from "../alerts/kinds.ts";
import type { Catalog } from "../catalog/catalog.ts";
import type { Log } from "../log.ts";
import { isFinal, type Run } from "../runs/model.ts";
import type { RunEndDeps } from "./on-run-final.ts";

export type RunEndSteps = typeof import("./run-end-steps.ts");

export interface RunEndLoader {
  /** Loads the run-end steps; absent, this module imports them. */
  runEnd?: () => Promise<RunEndSteps>;
}

export const loadRunEnd = (deps: RunEndLoader): Promise<RunEndSteps> =>
  deps.runEnd ? deps.runEnd() : import("./run-end-steps.ts");

/** False when onRunFinal would do nothing: a run not final, of an unknown job, or a success with no RECOVERED alert. */
export function runEndHasWork(deps: { catalog: Catalog }, run: Run): boolean {
  if (!isFinal(run.status)) return false;
  const job = deps.catalog.get(run.job);
  // Unknown job: onRunFinal logs it, so it is loaded for that.
  if (!job) return true;
  return run.status !== "SUCCEEDED" || alertWanted(job, "RECOVERED");
}

/** on-run-final.ts's onRunFinal, its code loaded only for a run that needs it. */
export async function onRunFinal(deps: RunEndDeps, run: Run): Promise<void> {
  if (!runEndHasWork(deps, run)) return;
  await (await loadRunEnd(deps)).onRunFinal(deps, run);
}

/** on-run-final.ts's settleLaunched, likewise. */
export async function settleLaunched(deps: RunEndDeps & { log: Log }, run: Run): Promise<void> {
  if (!runEndHasWork(deps, run)) return;
  await (await loadRunEnd(deps)).settleLaunched(deps, run);
}
