/**
 * `ecs-jobs logs RUN [--follow]` and the log half of `run --wait`: each stream of the run read forward from
 * where the last round ended (CloudWatch Logs' forward token), so every line is shown once, oldest first.
 * Tasks are read from the ledger each round: a task recorded later gets its stream then. Following ends
 * once the run is final and one more round has read what the containers flushed last (awslogs delivers
 * a few seconds after the fact), or when `signal` aborts (Ctrl+C: stop following, never the run).
 */
import { NotFoundError, ThrottledError } from "../errors.ts";
import type { Job } from "../jobspec/schema.ts";
import { isFinal, type Run } from "../runs/model.ts";
import {
  byTime,
  containerLogging,
  type LogDeps,
  type LogFilter,
  type LogLine,
  readForward,
  streamsOf,
} from "./run-logs.ts";

export interface FollowLogsOptions {
  filter?: LogFilter;
  /** Only lines at or after this time (epoch ms): `--since`. */
  since?: number;
  /** Keep reading until the run is final; otherwise read what there is now, once. */
  follow: boolean;
  intervalMs?: number;
  signal?: AbortSignal;
  onLine: (line: LogLine) => void;
  onNotice: (text: string) => void;
}

/** Following also reads the run (its status says when to stop) and waits between polls. */
export type FollowLogsDeps = LogDeps & {
  ledger: { get(runId: string): Promise<Run | undefined> };
  sleep: (ms: number) => Promise<void>;
};

/** Resolves to the run as last read (final when followed to the end). */
export async function streamRunLogs(
  deps: FollowLogsDeps,
  job: Job,
  runId: string,
  o: FollowLogsOptions,
): Promise<Run> {
  const logging = await containerLogging(deps, job);
  const tokens = new Map<string, string | undefined>();
  const noticed = new Set<string>();
  let drained = false;
  for (;;) {
    const run = await deps.ledger.get(runId);
    if (!run) throw new NotFoundError(`run ${runId}`);
    const final = isFinal(run.status);
    const { streams, notices } = streamsOf(run, logging, o.filter);
    for (const n of notices.filter((x) => !noticed.has(x))) {
      noticed.add(n);
      o.onNotice(n);
    }
    const batch: LogLine[] = [];
    for (const s of streams) {
      const key = `${s.group}\n${s.stream}`;
      try {
        const read = await readForward(deps, s, { token: tokens.get(key), startTime: o.since });
        tokens.set(key, read.token);
        batch.push(...read.lines);
      } catch (error) {
        // Following: a throttled stream is read next round; a one-shot read says so.
        if (!(o.follow && error instanceof ThrottledError)) throw error;
        deps.log.warn(error.message);
      }
    }
    for (const line of byTime(batch)) o.onLine(line);
    if (!o.follow || o.signal?.aborted || (final && drained)) return run;
    if (final) drained = true;
    await deps.sleep(o.intervalMs ?? 1_000);
    if (o.signal?.aborted) return run;
  }
}

/** `--since 10m` / `90s` / `2h` / `1d`, or an ISO 8601 time: the epoch ms to read from. */
export function parseSince(text: string, now: Date): number | undefined {
  const m = /^(\d+)\s*(s|m|h|d)$/.exec(text.trim());
  if (m) {
    const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as "s" | "m" | "h" | "d"];
    return now.getTime() - Number(m[1]) * unit;
  }
  const at = /^\d{4}-\d{2}-\d{2}T/.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(at) ? undefined : at;
}
