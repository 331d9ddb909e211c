/**
 * Client-side pacing of RunTask to ECS's documented Fargate limits (20 calls a second; a bucket of 100 tasks
 * refilled at 20 a second: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/throttling.html), so
 * that a fan-out of 1,000 calls proceeds at the limit instead of in throttle storms, where every throttled
 * call costs a backoff of the SDK's and, after its attempts, the batch.
 *
 * One pacer per process (a Lambda container, the local stack), shared by every launch in it. Each call
 * reserves the next slot at which both buckets hold its tokens (GCRA, "virtual scheduling"): reservations are
 * handed out in the order asked, and a launcher asks for one batch at a time, so concurrent launches take
 * turns, and a new run's first batch waits behind at most one batch of each launch under way, not behind
 * the rest of a 10,000-task fan-out. A reservation is one wait, never a loop: a sleep that does not wait
 * (a test's) cannot make it spin.
 *
 * Why not only the SDK's adaptive retry mode: it learns the rate from throttles it has already taken (one
 * storm per client at least), and it paces calls, not tasks. Across Lambda containers neither shares state;
 * there the SDK's retries (src/aws/clients.ts) remain the answer to what pacing cannot see.
 */

export interface PacerFigures {
  /** Bucket maximum capacity (the burst). */
  capacity: number;
  /** Tokens added per second (the sustained rate). */
  perSecond: number;
}

export interface PacerLimits {
  calls: PacerFigures;
  tasks: PacerFigures;
}

/**
 * The documented figures (calls: 20 burst, 20/s; tasks: 100 burst, 20/s) less 10% of each burst: ECS's
 * bucket starts refilling when the first call reaches it, the pacer's when it is sent, and a first call
 * slower than the next (a new connection) made ECS see the next ones early. Measured on the emulator in real
 * time, 4 launchers of 150 tasks: 18 calls throttled and a batch lost with the full burst, none with this.
 * The sustained rates stay the documented ones: the headroom costs half a second once, not 10% throughout.
 */
export const FARGATE_RUN_TASK_LIMITS: PacerLimits = {
  calls: { capacity: 18, perSecond: 20 },
  tasks: { capacity: 90, perSecond: 20 },
};

export interface RunTaskPacer {
  /** Resolves when a RunTask call of `tasks` tasks may be sent. */
  take(tasks: number): Promise<void>;
}

/**
 * One bucket as GCRA keeps it: `tat`, the time at which the bucket would be full again. At time t it holds
 * capacity - (tat - t) / interval tokens, which is the continuous token bucket ECS describes.
 */
class Schedule {
  private tat = Number.NEGATIVE_INFINITY;
  private readonly intervalMs: number;
  private readonly burstMs: number;
  constructor(f: PacerFigures) {
    this.intervalMs = 1000 / f.perSecond;
    this.burstMs = f.capacity * this.intervalMs;
  }

  /** The earliest time, not before `now`, at which the bucket holds `n` tokens. */
  earliest(now: number, n: number): number {
    return Math.max(now, this.tat + n * this.intervalMs - this.burstMs);
  }

  /** Takes `n` tokens at `at` (not before earliest()). */
  reserve(at: number, n: number): void {
    this.tat = Math.max(this.tat, at) + n * this.intervalMs;
  }
}

export function createRunTaskPacer(
  clock: { now: () => number; sleep: (ms: number) => Promise<void> },
  limits: PacerLimits = FARGATE_RUN_TASK_LIMITS,
): RunTaskPacer {
  const calls = new Schedule(limits.calls);
  const tasks = new Schedule(limits.tasks);
  return {
    async take(n) {
      const now = clock.now();
      const count = Math.min(Math.max(1, n), limits.tasks.capacity);
      const at = Math.max(calls.earliest(now, 1), tasks.earliest(now, count));
      calls.reserve(at, 1);
      tasks.reserve(at, count);
      if (at > now) await clock.sleep(at - now);
    },
  };
}
