/**
 * Time as the emulator sees it. The real clock runs tasks in real time; a manual clock lets tests move
 * time forward without sleeping.
 */

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, Math.max(0, ms));
    // The emulator's timers must not keep a CLI process alive on their own.
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};

export interface ManualClock extends Clock {
  /** Moves time forward, firing due timers in order; waits for the work they start before the next one. */
  advance(ms: number): Promise<void>;
  /** Number of timers waiting. */
  pending(): number;
  /** When the earliest waiting timer is due; undefined when none waits. */
  next(): number | undefined;
}

/** Lets promise callbacks and I/O callbacks queued by a timer run before the next timer fires. */
const settle = () => new Promise<void>((r) => setImmediate(r));

export function createManualClock(startMs = Date.parse("2026-01-01T00:00:00Z")): ManualClock {
  let now = startMs;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void; seq: number }>();
  return {
    now: () => now,
    setTimeout(fn, ms) {
      const id = seq++;
      timers.set(id, { at: now + Math.max(0, ms), fn, seq: id });
      return { cancel: () => timers.delete(id) };
    },
    pending: () => timers.size,
    next() {
      let at: number | undefined;
      for (const t of timers.values()) if (at === undefined || t.at < at) at = t.at;
      return at;
    },
    async advance(ms) {
      const until = now + ms;
      await settle();
      for (;;) {
        let next: { id: number; at: number; fn: () => void; seq: number } | undefined;
        for (const [id, t] of timers) {
          if (t.at <= until && (!next || t.at < next.at || (t.at === next.at && t.seq < next.seq)))
            next = { id, ...t };
        }
        if (!next) break;
        timers.delete(next.id);
        now = Math.max(now, next.at);
        next.fn();
        await settle();
      }
      now = until;
      await settle();
    },
  };
}
