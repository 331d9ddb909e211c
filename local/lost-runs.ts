/**
 * Runs whose tasks the ECS emulator lost: its state file was deleted, or could not be written, while they
 * were active. No event will ever end them, and a `forbid` job without a timeout would answer 409 until the
 * ledger forgets the run; so at restart they end FAILED with a hint saying what happened, their alerts go
 * out as for any failure, and the tasks the emulator still knows are stopped.
 */
import { type Deps, failRun } from "../src/host/wiring.ts";

const lostRunHint = (stateFile: string, tasks: readonly string[]) =>
  `The ECS emulator no longer knows ${tasks.length === 1 ? "task" : "tasks"} ${tasks
    .map((t) => t.split("/").at(-1))
    .join(
      ", ",
    )}: its state file ${stateFile} was removed or could not be written while the run was active, so how the run ended is unknown. Launch the job again; keep the data dir writable while the stack runs.`;

export async function endLostRuns(
  deps: Deps,
  lost: readonly { runId: string; tasks: string[] }[],
  stateFile: string,
): Promise<string[]> {
  const ended: string[] = [];
  for (const { runId, tasks } of lost) {
    const run = await failRun(deps, runId, {
      hint: lostRunHint(stateFile, tasks),
      failures: tasks.map((arn) => ({ arn, reason: "MISSING" })),
      stopReason: "ecs-jobs: the run's other tasks were lost by the emulator",
    });
    if (run) ended.push(runId);
  }
  return ended;
}
