/**
 * Bookkeeping of launch failures so that the run aggregate (src/runs/aggregate.ts) can finish a run:
 * it counts one failure per task that was never placed (stopped tasks + failures >= expectedTasks).
 */
import type { Failure } from "@aws-sdk/client-ecs";
import type { RunFailure } from "../runs/model.ts";

export const failureOf = (f: Failure): RunFailure => ({
  ...(f.arn && { arn: f.arn }),
  reason: f.reason?.trim() || "UNKNOWN",
  ...(f.detail && { detail: f.detail }),
});

/**
 * ECS does not promise one failure per missing task (EC2 placement failures are per container instance,
 * some answers carry one failure for several tasks). Fewer failures than missing tasks would leave the run
 * waiting forever, so the shortfall is filled with copies naming the same reason; more is harmless.
 */
export function padFailures(failures: RunFailure[], missing: number, requested: number): RunFailure[] {
  if (failures.length >= missing) return failures;
  const model = failures.at(-1);
  const filler: RunFailure = {
    reason: model?.reason ?? "NOT_PLACED",
    detail: `ECS placed ${requested - missing} of ${requested} task(s) and gave no failure for the rest`,
  };
  return [...failures, ...Array.from({ length: missing - failures.length }, () => ({ ...filler }))];
}

const keyOf = (v: unknown): string => JSON.stringify(v);

/**
 * What a retried invocation already recorded. It re-sends the same calls and gets the same answers, and
 * recordLaunch appends failures and notes, so each answer is passed on only as far as it is new (multiset
 * difference: two identical failures recorded once are one old and one new).
 */
export class AlreadyRecorded<T> {
  private readonly counts = new Map<string, number>();
  constructor(already: readonly T[]) {
    for (const v of already) this.counts.set(keyOf(v), (this.counts.get(keyOf(v)) ?? 0) + 1);
  }
  fresh(next: readonly T[]): T[] {
    return next.filter((v) => {
      const n = this.counts.get(keyOf(v)) ?? 0;
      if (n === 0) return true;
      this.counts.set(keyOf(v), n - 1);
      return false;
    });
  }
}
