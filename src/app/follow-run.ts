/**
 * Following a run until it is final (`ecs-jobs run --wait`): the ledger says what the status handler has
 * applied; DescribeTasks shows task progress that has not reached the ledger yet. Each change is reported
 * once, as a line.
 */
import { NotFoundError } from "../errors.ts";
import type { EcsPort } from "../launch/ecs-port.ts";
import { DESCRIBE_MAX, describeTasks } from "../launch/ecs-reads.ts";
import type { RunLedger } from "../ledger/ledger.ts";
import { isFinal, type Run } from "../runs/model.ts";

export interface FollowOptions {
  cluster: string;
  intervalMs?: number;
  onLine: (line: string, run: Run) => void;
  /** Stops following (Ctrl+C): resolves with the run as last read, final or not. */
  signal?: AbortSignal;
}

/** What following touches: the run as recorded, its tasks as ECS describes them, a pause between reads. */
export interface FollowRunDeps {
  clients: EcsPort["clients"];
  ledger: Pick<RunLedger, "get">;
  sleep: (ms: number) => Promise<void>;
}

async function liveStatuses(deps: Pick<FollowRunDeps, "clients">, cluster: string, run: Run) {
  const live = new Map<string, string>();
  const arns = run.tasks.filter((t) => t.lastStatus !== "STOPPED").map((t) => t.taskArn);
  for (let i = 0; i < arns.length; i += DESCRIBE_MAX) {
    try {
      const out = await describeTasks(deps, cluster, arns.slice(i, i + DESCRIBE_MAX));
      for (const t of out.tasks ?? []) if (t.taskArn && t.lastStatus) live.set(t.taskArn, t.lastStatus);
    } catch {
      // Progress display only: the ledger remains the source of truth.
    }
  }
  return live;
}

/** `RUNNING — tasks: 2 RUNNING, 1 PENDING`. */
export function statusLine(run: Run, live: ReadonlyMap<string, string> = new Map()): string {
  const counts = new Map<string, number>();
  for (const t of run.tasks) {
    const s = t.lastStatus === "STOPPED" ? "STOPPED" : (live.get(t.taskArn) ?? t.lastStatus);
    counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  const tasks = [...counts].map(([s, n]) => `${n} ${s}`).join(", ");
  const failed = run.failures.length > 0 ? `, ${run.failures.length} not placed` : "";
  return `${run.status}${tasks || failed ? ` — tasks: ${tasks || "none"}${failed}` : ""}`;
}

export async function followRun(deps: FollowRunDeps, runId: string, options: FollowOptions): Promise<Run> {
  let last = "";
  for (;;) {
    const run = await deps.ledger.get(runId);
    if (!run) throw new NotFoundError(`run ${runId}`);
    const final = isFinal(run.status);
    const line = statusLine(run, final ? new Map() : await liveStatuses(deps, options.cluster, run));
    if (line !== last) options.onLine(line, run);
    last = line;
    if (final || options.signal?.aborted) return run;
    await deps.sleep(options.intervalMs ?? 1_000);
    if (options.signal?.aborted) return run;
  }
}
