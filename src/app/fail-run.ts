/**
 * Ending a run that no event will ever end (the local stack at restart: the ECS emulator lost the run's
 * tasks): FAILED with the hint and failures the caller knows, the tasks ECS still has stopped, and then what
 * follows any failure (alerts, retry, pause), as if ECS had reported it.
 */
import { stopRunTasks } from "../launch/stop-tasks.ts";
import type { FinishExtra } from "../ledger/ledger.ts";
import type { Run } from "../runs/model.ts";
import type { RunEndDeps } from "./on-run-final.ts";
import { onRunFinal } from "./on-run-final.ts";

/** The run as ended, or undefined when it was final already (another process ended it first). */
export async function failRun(
  deps: RunEndDeps,
  runId: string,
  how: Pick<FinishExtra, "hint" | "failures"> & { stopReason: string },
): Promise<Run | undefined> {
  const { stopReason, ...extra } = how;
  const { run, changed } = await deps.ledger.finish(runId, "FAILED", extra);
  if (!changed) return undefined;
  const job = deps.catalog.get(run.job);
  if (job) await stopRunTasks(deps, job, run, stopReason);
  await onRunFinal(deps, run);
  return run;
}
