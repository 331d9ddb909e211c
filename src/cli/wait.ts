/**
 * `run NAME --wait`: the run's status changes and log lines as they come, then — when policy.retries gives
 * it another attempt — the next attempt the same way, until the final attempt's result. Ctrl+C stops
 * following, never the run.
 */
import { type FollowRunDeps, followRun, statusLine } from "../app/follow-run.ts";
import { retryConditionFor, retryRunId } from "../app/retry.ts";
import type { Job } from "../jobspec/schema.ts";
import type { RunLedger } from "../ledger/ledger.ts";
import { type FollowLogsDeps, streamRunLogs } from "../logs/follow-logs.ts";
import { formatLogLine } from "../logs/run-logs.ts";
import { isFinal, type Run } from "../runs/model.ts";
import type { CliIo } from "./context.ts";
import { stopFollowingOnInterrupt } from "./interrupt.ts";

export { stopFollowingOnInterrupt };

/**
 * How long to wait for a retry the status handler owes: it launches the next attempt as soon as it sees
 * the run end; when none appears by then (its launch was refused before the run was recorded), the
 * attempt in hand is the final one.
 */
export const NEXT_ATTEMPT_WAIT_MS = 60_000;

/** Following attempts touches the run and its tasks (follow-run.ts), their log lines, and the clock. */
type WaitDeps = FollowRunDeps & FollowLogsDeps & { now: () => Date };

const clock = (deps: { now: () => Date }) => deps.now().toISOString().slice(11, 19);

async function followAttempt(
  deps: WaitDeps,
  job: Job,
  run: Run,
  io: CliIo,
  json: boolean,
  signal: AbortSignal,
) {
  const print = (text: string) => {
    if (!json) io.stdout(text);
  };
  const logs = json
    ? Promise.resolve()
    : streamRunLogs(deps, job, run.runId, {
        follow: true,
        signal,
        onLine: (l) => print(`  ${formatLogLine(l)}\n`),
        onNotice: (n) => io.stderr(`note: ${n}\n`),
      }).then(
        () => {},
        // The logs are a courtesy of --wait: the run's result does not depend on them.
        (error: unknown) =>
          io.stderr(`warning: no log lines: ${error instanceof Error ? error.message : String(error)}\n`),
      );
  const [final] = await Promise.all([
    followRun(deps, run.runId, {
      cluster: job.spec.task.cluster,
      signal,
      onLine: (line) => print(`  ${clock(deps)} ${line}\n`),
    }),
    logs,
  ]);
  if (final.hint) print(`  hint: ${final.hint}\n`);
  return final;
}

async function nextAttempt(
  deps: { ledger: Pick<RunLedger, "get">; sleep: (ms: number) => Promise<void> },
  job: Job,
  run: Run,
  signal: AbortSignal,
): Promise<Run | undefined> {
  if (!retryConditionFor(job, run)) return undefined;
  const nextId = retryRunId(job, run);
  const deadline = Date.now() + NEXT_ATTEMPT_WAIT_MS;
  while (!signal.aborted && Date.now() < deadline) {
    const next = await deps.ledger.get(nextId);
    if (next) return next;
    await deps.sleep(500);
  }
  return undefined;
}

export async function waitForFinalAttempt(
  deps: WaitDeps,
  job: Job,
  first: Run,
  o: { io: CliIo; json: boolean; interrupt?: ReturnType<typeof stopFollowingOnInterrupt> },
): Promise<{ run: Run; interrupted: boolean }> {
  // Given by a caller that prints before following (run --wait); disposed here either way.
  const interrupt = o.interrupt ?? stopFollowingOnInterrupt(o.io, first.runId);
  try {
    let run = first;
    for (;;) {
      run = await followAttempt(deps, job, run, o.io, o.json, interrupt.signal);
      if (interrupt.signal.aborted || !isFinal(run.status)) return { run, interrupted: true };
      if (!o.json && retryConditionFor(job, run))
        o.io.stdout(`  attempt ${run.attempt} ${run.status}; waiting for attempt ${run.attempt + 1}\n`);
      const next = await nextAttempt(deps, job, run, interrupt.signal);
      if (!next) return { run, interrupted: interrupt.signal.aborted };
      run = next;
      if (!o.json)
        o.io.stdout(`run ${run.runId} of ${run.job} (attempt ${run.attempt}): ${statusLine(run)}\n`);
    }
  } finally {
    interrupt.dispose();
  }
}
