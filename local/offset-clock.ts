/**
 * Time in the local stack: one clock shared by the ECS emulator, the handlers (`deps.now`), the scheduler and
 * the sweeper, so every timestamp agrees. The emulator's Clock contract is used as is.
 */
import { type Clock, realClock } from "./ecs/index.ts";

export type { Clock } from "./ecs/index.ts";
export { createManualClock, type ManualClock, realClock } from "./ecs/index.ts";

export interface OffsetClock extends Clock {
  /** Moves "now" forward without waiting; timers keep running in real time. */
  advance(ms: number): void;
}

/**
 * Real time plus an offset that tests move forward: tasks still take their real durations, but the sweeper
 * and the scheduler see time jump (a one-minute timeout passes in no time, a rate(1 minute) fires at once).
 */
export function createOffsetClock(offsetMs = 0): OffsetClock {
  let offset = offsetMs;
  return {
    now: () => Date.now() + offset,
    setTimeout: (fn, ms) => realClock.setTimeout(fn, ms),
    advance(ms) {
      offset += ms;
    },
  };
}
