/**
 * Launches that stopped short (issue 20 item 4). A fan-out of 100 RunTask calls can be cut off by SIGTERM
 * or a Lambda timeout, or handed off on purpose when its invocation's time runs out; without this the run
 * stayed RUNNING for good once its first tasks stopped, short of the tasks it asked for. The sweeper:
 * - continues a launch whose lease passed from its first unrecorded batch (same clientTokens: a batch
 *   that was sent but not recorded gets its own tasks back, nothing launches twice);
 * - ends a run that recorded no progress (launched before progress was recorded) once all its known tasks
 *   stopped and it is older than the lease: the missing tasks count as failed, "launched K of N tasks; the
 *   launch was interrupted", and the run ends FAILED.
 */
import { continueLaunch, LAUNCH_LEASE_MS, stalledLaunch } from "../launch/launcher.ts";
import type { Job } from "../spec/schema.ts";
import { onRunFinal } from "./finalize.ts";
import { isFinal, type Run } from "./model.ts";
import type { RunActionDeps } from "./retry.ts";

export const INTERRUPTED = "LaunchInterrupted";

/** A run with no recorded progress that will never get the rest of its tasks: how many are missing. */
export function interruptedLaunch(run: Run, now: Date): number {
  if (run.launch || isFinal(run.status) || run.trigger.kind === "instanceLaunch") return 0;
  const expected = run.expectedTasks ?? 0;
  const missing = expected - run.tasks.length - run.failures.length;
  // No known task at all: nothing says a launch got anywhere; the deadlines end such a run.
  if (missing <= 0 || run.tasks.length === 0) return 0;
  if (!run.tasks.every((t) => t.lastStatus === "STOPPED")) return 0;
  return now.getTime() - Date.parse(run.createdAt) >= LAUNCH_LEASE_MS ? missing : 0;
}

/** What the sweeper did about the run's launch: continued it, ended it, or nothing. */
export async function settleShortLaunch(
  deps: RunActionDeps,
  job: Job,
  run: Run,
  stopBy: Date,
): Promise<{ run: Run; action?: "continued" | "interrupted" }> {
  const now = deps.now();
  if (stalledLaunch(run, now)) {
    const after = await continueLaunch(deps, job, run, stopBy);
    if (isFinal(after.status)) await onRunFinal(deps, after);
    return { run: after, action: "continued" };
  }
  const missing = interruptedLaunch(run, now);
  if (missing === 0) return { run };
  const expected = run.expectedTasks ?? missing;
  const detail = `launched ${expected - missing} of ${expected} tasks; the launch was interrupted`;
  deps.log.warn("a launch was interrupted and cannot be continued; the run failed", {
    runId: run.runId,
    missing,
  });
  const after = await deps.ledger.recordLaunch(run.runId, {
    tasks: [],
    failures: Array.from({ length: missing }, () => ({ reason: INTERRUPTED, detail })),
  });
  if (isFinal(after.status)) await onRunFinal(deps, after);
  return { run: after, action: "interrupted" };
}
