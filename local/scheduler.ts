/**
 * The local stand-in for EventBridge Scheduler (the jobs' schedules) and for the sweeper's one-minute rule.
 *
 * It polls a clock rather than arming one timer per fire time, so a test can move an injected clock and the
 * next poll fires what became due. Fire times come from `upcoming` (src/catalog/summary.ts), as in every other
 * view: a rate schedule counts from its startDate, else from its schedule's stored modification time (the
 * `anchor` option; the stack passes the Scheduler stand-in's), which survives restarts, as in AWS.
 * Behaviour that differs from AWS, on purpose:
 * - a flexible time window delivers each fire time at a moment drawn from the job and the time
 *   (flexible-window.ts), not at random;
 * - fire times that passed while the stack was down are not caught up; when several are due at once (the
 *   machine slept, a test moved the clock) only the latest fires, and the others are logged as skipped.
 * The execution id is derived from the job and the fire time, so firing the same time twice (a restart in the
 * middle of a fire) yields the same run id and launches nothing twice.
 */
import { createHash } from "node:crypto";
import { type Job, parseScheduleExpression, type ScheduleExpression, upcoming } from "../src/host/domain.ts";
import { flexibleDelayMs } from "./flexible-window.ts";

/** The schedule handler's input (serverless.yml / deploy/schedules.ts: scheduleInput). */
export interface SchedulerInput {
  job: string;
  executionId: string;
  scheduledTime: string;
}

export interface SchedulerLog {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
}

export interface LocalSchedulerOptions {
  jobs: readonly Job[];
  now: () => Date;
  /** Whether the job's schedule is ENABLED right now (a paused schedule is DISABLED). */
  isEnabled: (job: string) => boolean;
  /** When the job's schedule was created or last modified: where rate schedules count from. Default: start. */
  anchor?: (job: string) => Date | undefined;
  /** Hands one firing to the schedule handler; must not throw (the caller queues and retries). */
  fire: (input: SchedulerInput) => void;
  /** The sweeper's rule; must not throw. */
  sweep: (at: Date) => void;
  log: SchedulerLog;
  /** How often the clock is polled (real time). Default 250 ms. */
  pollMs?: number;
  /** Clock time between sweeps. Default one minute, as the sweeper's rate(1 minute) rule. */
  sweepEveryMs?: number;
}

export interface LocalScheduler {
  /** Checks the clock now (the poll does this on its own). */
  tick(): void;
  /** The next `count` times the job's schedule fires after now; empty when unscheduled or past its end. */
  upcoming(job: string, count: number): Date[];
  /** The input the scheduler would send for this job and fire time. */
  inputFor(job: string, at: Date): SchedulerInput;
  /** The jobs folder changed: schedules of new or changed jobs start afresh, unchanged ones go on. */
  setJobs(jobs: readonly Job[]): void;
  stop(): void;
}

/** Scheduler's `<aws.scheduler.scheduled-time>`: ISO 8601 in UTC, to the second. */
export const schedulerTime = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, "Z");

export function executionIdFor(job: string, at: Date): string {
  const hash = createHash("sha256")
    .update(`${job}\n${schedulerTime(at)}`)
    .digest("hex");
  return `local-${hash.slice(0, 32)}`;
}

interface Entry {
  job: Job;
  expression: ScheduleExpression;
  anchor: number;
  next: Date | undefined;
}
/** More missed fire times than this in one poll are not even counted one by one. */
const MAX_CATCH_UP = 10_000;

export function startLocalScheduler(options: LocalSchedulerOptions): LocalScheduler {
  const entries = new Map<string, Entry>();
  const sweepEvery = options.sweepEveryMs ?? 60_000;

  const following = (e: Omit<Entry, "next">, after: Date, count = 1): Date[] =>
    upcoming(e.job, after, count, new Date(e.anchor));

  const started = options.now();
  const anchorOf = (name: string) => options.anchor?.(name)?.getTime() ?? started.getTime();
  /** Entries for `jobs`; a job whose schedule did not change keeps its next fire time. */
  const place = (jobs: readonly Job[], from: Date) => {
    const before = new Map(entries);
    entries.clear();
    for (const job of jobs) {
      const s = job.spec.schedule;
      if (!s) continue;
      const parsed = parseScheduleExpression(s.expression);
      if (!parsed.ok) {
        options.log.warn(`${job.name}: schedule not started: ${parsed.error}`);
        continue;
      }
      const old = before.get(job.name);
      if (old && JSON.stringify(old.job.spec.schedule) === JSON.stringify(s)) {
        entries.set(job.name, { ...old, job });
        continue;
      }
      const entry: Entry = { job, expression: parsed.value, anchor: anchorOf(job.name), next: undefined };
      entry.next = following(entry, from)[0];
      entries.set(job.name, entry);
    }
  };
  place(options.jobs, started);

  const inputFor = (job: string, at: Date): SchedulerInput => ({
    job,
    executionId: executionIdFor(job, at),
    scheduledTime: schedulerTime(at),
  });

  let lastSweep = started;
  const tick = () => {
    const now = options.now();
    for (const entry of entries.values()) {
      const anchor = anchorOf(entry.job.name);
      if (anchor !== entry.anchor) {
        // Modified (resumed) since: it counts afresh from now, like a schedule updated in AWS.
        entry.anchor = anchor;
        entry.next = following(entry, now)[0];
      }
      let due: Date | undefined;
      let skipped = 0;
      const flex = entry.job.spec.schedule?.flexibleWindowMinutes ?? 0;
      const deliverAt = (t: Date) => t.getTime() + flexibleDelayMs(entry.job.name, t, flex);
      while (entry.next && deliverAt(entry.next) <= now.getTime() && skipped < MAX_CATCH_UP) {
        if (due) skipped++;
        due = entry.next;
        entry.next = following(entry, due)[0];
      }
      if (!due) continue;
      const name = entry.job.name;
      if (skipped > 0) options.log.warn(`${name}: ${skipped} earlier fire time(s) were due at once; skipped`);
      if (!(entry.job.spec.schedule?.enabled ?? false) || !options.isEnabled(name)) {
        options.log.info(`${name}: schedule is disabled; ${schedulerTime(due)} not fired`);
        continue;
      }
      options.fire(inputFor(name, due));
    }
    if (now.getTime() - lastSweep.getTime() >= sweepEvery) {
      lastSweep = now;
      options.sweep(now);
    }
  };

  const timer = setInterval(tick, options.pollMs ?? 250);
  timer.unref();

  return {
    tick,
    upcoming(job, count) {
      const entry = entries.get(job);
      if (!entry?.next || count < 1) return [];
      return [entry.next, ...following(entry, entry.next, count - 1)];
    },
    inputFor,
    setJobs(jobs) {
      place(jobs, options.now());
    },
    stop() {
      clearInterval(timer);
    },
  };
}
