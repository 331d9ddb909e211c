/**
 * Stopping a run on purpose (`ecs-jobs stop`, POST /runs/{runId}/stop, `concurrency: replace`): the run is
 * made CANCELLED first, then StopTask is sent for each of its tasks. In that order so that the STOPPED events
 * the StopTask calls cause find the run final already and cannot fold it into FAILED: a run stopped on
 * purpose sends no FAILED alert, is not retried and does not count toward pauseAfterFailures (SPEC section 6).
 */

import type { Catalog } from "../catalog/catalog.ts";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import type { Job } from "../jobspec/schema.ts";
import type { EcsPort } from "../launch/ecs-port.ts";
import type { RunLedger } from "../ledger/ledger.ts";
import { isFinal, type Run } from "../runs/model.ts";
import { RUN_ID_PATTERN } from "../runs/run-id.ts";
import { settleStops } from "./owed-stops.ts";

/** ECS takes up to 255 characters of StopTask reason; ours is a prefix and the operator's text. */
const ECS_REASON_MAX = 255;
export const MAX_STOP_REASON = 200;

export interface StopRequest {
  /** The operator's words, shown in the run's hint and sent to ECS as the stop reason. */
  reason?: string;
  /** Who asked (an IAM principal, `cli:user`). */
  by?: string;
  /** `concurrency: replace`: the run that replaces this one. */
  cancelledBy?: string;
}

export interface StopResult {
  run: Run;
  /** Task ARNs ECS was asked to stop. */
  stoppedTasks: string[];
}

/** What cancelling a run touches: the ledger (made CANCELLED first) and ECS (StopTask), with the log. */
export interface StopDeps extends EcsPort {
  ledger: RunLedger;
}

/** The operator's reason, checked: it ends up in ECS and in every view of the run. */
export function checkStopReason(reason: unknown): string | undefined {
  if (reason === undefined) return undefined;
  if (typeof reason !== "string" || reason.length > MAX_STOP_REASON || /\p{Cc}/u.test(reason))
    throw new ValidationError(
      `reason: expected text of at most ${MAX_STOP_REASON} characters without control characters`,
      { field: "reason" },
    );
  return reason.trim() === "" ? undefined : reason;
}

function texts(req: StopRequest): { hint: string; ecsReason: string } {
  if (req.cancelledBy)
    return {
      hint: `Replaced by run ${req.cancelledBy} (policy.concurrency is replace); this run's tasks were stopped.`,
      ecsReason: `ecs-jobs: replaced by run ${req.cancelledBy}`,
    };
  const who = req.by ? ` by ${req.by}` : "";
  const why = req.reason ? `: ${req.reason}` : "";
  return {
    hint: `Stopped on purpose${who}${why}.`,
    ecsReason: `ecs-jobs: stopped${who}${why}`.slice(0, ECS_REASON_MAX),
  };
}

/** Cancels `run` of `job` and stops its tasks. ConflictError when it is final already (409). */
export async function cancelRun(deps: StopDeps, job: Job, run: Run, req: StopRequest): Promise<StopResult> {
  const { hint, ecsReason } = texts(req);
  if (isFinal(run.status)) return refuse(deps, job, run, ecsReason);
  const out = await deps.ledger.finish(run.runId, "CANCELLED", {
    hint,
    ...(req.cancelledBy && { cancelledBy: req.cancelledBy }),
  });
  // Ended by its tasks (or another stop) between the read and this write.
  if (!out.changed) return refuse(deps, job, out.run, ecsReason);
  deps.log.info("run cancelled; stopping its tasks", {
    runId: run.runId,
    ...(req.cancelledBy && { cancelledBy: req.cancelledBy }),
  });
  // Owed until ECS takes it: a failed StopTask is sent again by the sweeper (owed-stops.ts).
  const { stopped } = await settleStops(deps, job, out.run, ecsReason);
  return { run: out.run, stoppedTasks: stopped };
}

/**
 * A final run cannot be stopped (409). A CANCELLED one whose tasks have not all stopped (a StopTask that
 * failed the first time) gets StopTask again first, which ECS takes as often as it comes.
 */
async function refuse(deps: StopDeps, job: Job, run: Run, ecsReason: string): Promise<never> {
  const running = run.status === "CANCELLED" && run.tasks.some((t) => t.lastStatus !== "STOPPED");
  const again = running ? (await settleStops(deps, job, run, ecsReason)).stopped : [];
  const note = again.length > 0 ? `; StopTask sent again for ${again.length} task(s) not stopped yet` : "";
  throw new ConflictError(`run ${run.runId} is already ${run.status}; there is nothing to stop${note}`);
}

/** `stop RUN`: the run by id, its job from the catalogue, then cancelRun. */
export async function stopRun(
  deps: StopDeps & { catalog: Catalog },
  runId: string,
  req: StopRequest,
): Promise<StopResult> {
  const run = RUN_ID_PATTERN.test(runId) ? await deps.ledger.get(runId) : undefined;
  if (!run) throw new NotFoundError(`run "${runId.slice(0, 80)}"`);
  const job = deps.catalog.get(run.job);
  if (!job)
    throw new NotFoundError(
      `job ${run.job} (of run ${run.runId}, whose cluster it names) in the jobs folder`,
    );
  return cancelRun(deps, job, run, req);
}
