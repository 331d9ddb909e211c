/**
 * Launches that stopped short (issue 20 item 4). A fan-out of 100 RunTask calls can be cut off by SIGTERM
 * or a Lambda timeout, or handed off on purpose when its invocation's time runs out; without this the run
 * stayed RUNNING for good once its first tasks stopped, short of the tasks it asked for. The sweeper:
 * - continues a launch whose lease passed from its first unrecorded batch (same clientTokens: a batch
 *   that was sent but not recorded gets its own tasks back, nothing launches twice), several of them
 *   taking turns;
 * - ends a run that recorded no progress (launched before progress was recorded), or recorded every batch
 *   but not its end, once all its known tasks stopped and the lease has passed: the missing tasks count as
 *   failed, "launched K of N tasks; the launch was interrupted", and the run ends FAILED.
 */

import type { Job } from "../jobspec/schema.ts";
import { isFinal, type Run } from "../runs/model.ts";
import { continueLaunch, LAUNCH_LEASE_MS, stalledLaunch } from "./launch-run.ts";
import { onRunFinal, type RunEndDeps } from "./on-run-final.ts";

export const INTERRUPTED = "LaunchInterrupted";

/**
 * A run that will never get the rest of its tasks: how many are missing. Either it recorded no progress
 * (launched before progress was recorded), or its launch recorded every batch but not its end — the launch
 * that ECS refused writes its progress, then the run's end, and an invocation that failed between the two
 * (a throttled DynamoDB, an HTTP caller that does not retry) left the run PENDING with no task for good,
 * holding the job's slot. Once the lease has passed, no launcher is on it any more.
 */
export function interruptedLaunch(run: Run, now: Date): number {
  if (isFinal(run.status) || run.trigger.kind === "instanceLaunch") return 0;
  const progress = run.launch;
  // Batches left: a launch still going, or stalled and continued by continueStalledLaunches.
  if (progress && progress.done < progress.batches) return 0;
  const expected = run.expectedTasks ?? 0;
  const missing = expected - run.tasks.length - run.failures.length;
  // No progress and no known task at all: nothing says a launch got anywhere; the deadlines end such a run.
  if (missing <= 0 || (!progress && run.tasks.length === 0)) return 0;
  if (!run.tasks.every((t) => t.lastStatus === "STOPPED")) return 0;
  const leaseEnds = progress ? Date.parse(progress.leaseUntil) : Date.parse(run.createdAt) + LAUNCH_LEASE_MS;
  return now.getTime() >= leaseEnds ? missing : 0;
}

/**
 * Continues every stalled launch, one RunTask call per run in turn, until they are done or `stopBy`: four
 * fan-outs of 1,000 tasks share the calls fairly instead of the first hogging them all while the others
 * wait. Each run's call is recorded with a lease that ends at once, so whatever is left at `stopBy` is the
 * next sweep's. `stopped()` (the sweep cancelled, or its invocation's time short) is asked before each call:
 * a call once begun is recorded before the loop stops. Resolves to the runs continued; one run's failure
 * does not stop the others.
 */
export async function continueStalledLaunches(
  deps: RunEndDeps,
  runs: readonly Run[],
  stopBy: Date,
  onError: (runId: string, error: unknown) => void,
  stopped: () => boolean = () => false,
): Promise<Map<string, Run>> {
  const continued = new Map<string, Run>();
  let round = runs.filter((r) => stalledLaunch(r, deps.now()) && deps.catalog.get(r.job));
  while (round.length > 0) {
    const next: Run[] = [];
    for (const run of round) {
      if (stopped()) return continued;
      const job = deps.catalog.get(run.job) as Job;
      try {
        // A stopBy already passed: exactly one call, then the launch is handed off again.
        const after = await continueLaunch(deps, job, run, new Date(0));
        continued.set(run.runId, after);
        if (isFinal(after.status)) await onRunFinal(deps, after);
        else if (after.launch && after.launch.done < after.launch.batches) next.push(after);
      } catch (error) {
        onError(run.runId, error);
      }
    }
    if (deps.now() >= stopBy) break;
    round = next;
  }
  return continued;
}

/** A run with no recorded progress short of its tasks for good: the missing ones fail, and the run ends. */
export async function endInterruptedLaunch(deps: RunEndDeps, run: Run): Promise<Run | undefined> {
  const missing = interruptedLaunch(run, deps.now());
  if (missing === 0) return undefined;
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
  return after;
}
