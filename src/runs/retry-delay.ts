/**
 * policy.retries.delaySeconds: how long a failed run waits for its next attempt. The first retry waits about
 * delaySeconds, each later one about twice the one before ("equal jitter": between half and all of the
 * doubled delay, so jobs that failed together do not all come back in the same second), never more than
 * 15 minutes — which is also the longest an SQS message can be delayed, the mechanism that carries it.
 */
import type { Job } from "../jobspec/schema.ts";
import type { Run } from "./model.ts";

export const MAX_RETRY_DELAY_SECONDS = 900;

/** Seconds before the attempt after `attempt`; `random` in [0, 1). 0 = at once. */
export function retryDelaySeconds(delaySeconds: number, attempt: number, random: number): number {
  if (delaySeconds <= 0) return 0;
  const doubled = Math.min(MAX_RETRY_DELAY_SECONDS, delaySeconds * 2 ** Math.max(0, attempt - 1));
  return Math.min(MAX_RETRY_DELAY_SECONDS, Math.max(1, Math.ceil(doubled / 2 + (random * doubled) / 2)));
}

export const retryDelayFor = (job: Job, run: Run, random: () => number): number =>
  retryDelaySeconds(job.spec.policy.retries?.delaySeconds ?? 0, run.attempt, random());
