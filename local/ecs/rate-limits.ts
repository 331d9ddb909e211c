/**
 * RunTask throttling as AWS documents it, on the emulator's clock: token buckets per account and Region,
 * refilled continuously, each request taking its tokens or being answered 400 ThrottlingException
 * "Rate exceeded" (what the SDK sees from ECS; it retries it as a throttle).
 *
 * The figures are Fargate's, the tightest that apply to a Fargate RunTask
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/throttling.html, "AWS Fargate throttling
 * quotas"):
 * - RunTask calls: 20 per second, burst and sustained (bucket 20, refill 20/s);
 * - tasks launched: bucket 100, refill 20 per second (On-Demand and Spot have one bucket each; one bucket
 *   here, as a fan-out uses one of them).
 * The ECS API's own RunTask bucket (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/request-throttling.html)
 * is looser than these, so these decide. A call that would overdraw either bucket takes nothing from both.
 */
import { EcsApiError } from "./api-error.ts";
import type { Clock } from "./emulator-clock.ts";

export interface BucketFigures {
  /** Bucket maximum capacity (the burst). */
  capacity: number;
  /** Tokens added per second (the sustained rate). */
  refillPerSecond: number;
}

export interface RateLimitSettings {
  runTaskCalls: BucketFigures;
  tasksLaunched: BucketFigures;
}

export const FARGATE_RATE_LIMITS: RateLimitSettings = {
  runTaskCalls: { capacity: 20, refillPerSecond: 20 },
  tasksLaunched: { capacity: 100, refillPerSecond: 20 },
};

/** Floating-point slack: a client pacing to the same figures arrives with 9.999999 of 10 tokens. */
const EPSILON = 1e-6;

class TokenBucket {
  private readonly figures: BucketFigures;
  private tokens: number;
  private at: number;
  constructor(figures: BucketFigures, now: number) {
    this.figures = figures;
    this.tokens = figures.capacity;
    this.at = now;
  }

  /** Tokens available at `now` (refilled since the last look, up to the capacity). */
  level(now: number): number {
    const elapsed = Math.max(0, now - this.at) / 1000;
    this.tokens = Math.min(this.figures.capacity, this.tokens + elapsed * this.figures.refillPerSecond);
    this.at = Math.max(this.at, now);
    return this.tokens;
  }

  take(n: number): void {
    this.tokens -= n;
  }
}

export class RunTaskRateLimits {
  private readonly calls: TokenBucket;
  private readonly tasks: TokenBucket;
  /** Requests answered ThrottlingException so far (the benchmarks count throttle storms). */
  throttled = 0;

  private readonly clock: Clock;

  constructor(clock: Clock, settings: RateLimitSettings = FARGATE_RATE_LIMITS) {
    this.clock = clock;
    this.calls = new TokenBucket(settings.runTaskCalls, clock.now());
    this.tasks = new TokenBucket(settings.tasksLaunched, clock.now());
  }

  /** Takes one call and `count` tasks, or throws ThrottlingException taking nothing. */
  admit(count: number): void {
    const now = this.clock.now();
    if (this.calls.level(now) + EPSILON < 1 || this.tasks.level(now) + EPSILON < count) {
      this.throttled++;
      throw new EcsApiError("ThrottlingException", "Rate exceeded");
    }
    this.calls.take(1);
    this.tasks.take(count);
  }
}

/** The `count` a RunTask request asks for, as ECS reads it (absent = 1); the request is checked later. */
export function requestedCount(input: unknown): number {
  const count = (input as { count?: unknown } | null)?.count;
  return typeof count === "number" && Number.isInteger(count) && count > 0 ? count : 1;
}
