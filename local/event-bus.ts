/**
 * The local stand-in for EventBridge delivering ECS events to Lambda: asynchronous (the emulator never waits
 * for a handler), in order per key (one task's events reach the status handler in the order ECS emitted them),
 * and with Lambda's async-invocation retry: a handler that throws is invoked again twice, after a delay,
 * then the event is dropped with a log line (in AWS it would go to the function's on-failure destination).
 * The delays are seconds rather than Lambda's minutes, so a local failure recovers while you watch.
 */

export interface BusLog {
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

export interface LocalEventBusOptions {
  log: BusLog;
  /** Delays before each retry; the number of entries is the number of retries. Default [250, 1000]. */
  retryDelaysMs?: readonly number[];
  /** Errors no retry can cure (a handler that does not exist): dropped at once, with their message only. */
  isPermanent?: (error: unknown) => boolean;
  /** Handler invocations at once, over all keys (default 8). */
  concurrency?: number;
}

export interface LocalEventBus {
  /**
   * Queues `deliver(event)` behind the earlier deliveries of the same key. The promise (which callers may
   * ignore) resolves to whether it was delivered: false once every attempt failed or the bus is closed.
   */
  publish<E>(key: string, label: string, event: E, deliver: (event: E) => Promise<unknown>): Promise<boolean>;
  /** Resolves once every queued delivery (with its retries) is done. */
  idle(): Promise<void>;
  /**
   * Stops accepting events, lets the queue drain for up to `timeoutMs`, then abandons what is left and waits
   * for the invocations already running.
   */
  close(timeoutMs?: number): Promise<void>;
  /** Deliveries that failed every attempt. */
  readonly dropped: number;
}

const errorText = (e: unknown): string => (e instanceof Error ? (e.stack ?? e.message) : String(e));

export function createEventBus(options: LocalEventBusOptions): LocalEventBus {
  const delays = options.retryDelaysMs ?? [250, 1_000];
  const maxConcurrent = options.concurrency ?? 8;
  const tails = new Map<string, Promise<unknown>>();
  const pending = new Set<Promise<unknown>>();
  /** Handler invocations running right now. */
  const running = new Set<Promise<unknown>>();
  const waiting: (() => void)[] = [];
  let closed = false;
  let aborted = false;
  let dropped = 0;

  async function idle(): Promise<void> {
    while (pending.size > 0) await Promise.all([...pending]);
  }

  let active = 0;
  const acquire = async () => {
    if (active < maxConcurrent) active++;
    // The slot is handed over by release(), so the count stays right.
    else await new Promise<void>((r) => waiting.push(r));
  };
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else active--;
  };

  /** One invocation, within the concurrency limit (Lambda's reserved concurrency, in effect). */
  async function invoke<E>(event: E, deliver: (event: E) => Promise<unknown>): Promise<boolean> {
    await acquire();
    if (aborted) {
      release();
      return false;
    }
    const call = deliver(event);
    running.add(call);
    try {
      await call;
      return true;
    } finally {
      running.delete(call);
      release();
    }
  }

  async function attempt<E>(label: string, event: E, deliver: (event: E) => Promise<unknown>) {
    for (let i = 0; ; i++) {
      if (aborted) return false;
      try {
        return await invoke(event, deliver);
      } catch (error) {
        if (options.isPermanent?.(error)) {
          dropped++;
          options.log.error(`dropped ${label}: ${(error as Error).message}`);
          return false;
        }
        const delay = delays[i];
        if (delay === undefined) {
          dropped++;
          options.log.error(`dropped ${label} after ${i + 1} failed attempts`, { error: errorText(error) });
          return false;
        }
        options.log.warn(`${label} failed (attempt ${i + 1}); retrying in ${delay} ms`, {
          error: errorText(error),
        });
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  const within = (p: Promise<unknown>, ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      void p.finally(() => {
        clearTimeout(timer);
        resolve();
      });
    });

  return {
    publish(key, label, event, deliver) {
      if (closed) {
        options.log.warn(`${label} arrived after shutdown began; not delivered`);
        return Promise.resolve(false);
      }
      const previous = tails.get(key) ?? Promise.resolve();
      const next = previous.then(() => attempt(label, event, deliver));
      tails.set(key, next);
      pending.add(next);
      void next.finally(() => {
        pending.delete(next);
        if (tails.get(key) === next) tails.delete(key);
      });
      return next;
    },
    idle,
    async close(timeoutMs = 3_000) {
      closed = true;
      await within(idle(), timeoutMs);
      // What is still queued is left undelivered (a restart reconciles the runs it concerns); only the
      // invocations already running are waited for, so that the ledger is not closed under them.
      aborted = true;
      for (const wake of waiting.splice(0)) wake();
      await within(Promise.allSettled([...running]), 10_000);
    },
    get dropped() {
      return dropped;
    },
  };
}
