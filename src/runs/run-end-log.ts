/**
 * The log line of a run's end, written once, by the write that ended the run (RunTransitions.ended), beside
 * its metrics: what an operator looking at the functions' logs (CloudWatch Logs Insights:
 * `filter message = "run ended" and status != "SUCCEEDED"`) needs without calling the API — run id, job,
 * status, attempt, trigger, the hint, and for each failed task (the first few) its full ARN, stop code and
 * reason, and its containers' exit codes. The local stack prints the same line. A failure is a warning: the
 * job failed, not ecs-jobs; errors stay for the system's own faults, which alarms watch.
 */
import type { Log } from "../log.ts";
import { taskSucceeded } from "./aggregate.ts";
import type { Run, RunTransitions } from "./model.ts";

/** Failed tasks and RunTask failures named on the line (a run may have 1,000); the rest are counted. */
export const NAMED_ON_LINE = 5;

const FAILURES = new Set(["FAILED", "TIMED_OUT", "MISSED"]);

export function runEndFields(run: Run): Record<string, unknown> {
  const failure = FAILURES.has(run.status);
  const failedTasks = failure ? run.tasks.filter((t) => !taskSucceeded(t)) : [];
  return {
    runId: run.runId,
    job: run.job,
    status: run.status,
    attempt: run.attempt,
    trigger: run.trigger.kind,
    tasks: run.tasks.length,
    ...(run.hint && { hint: run.hint }),
    ...(run.cancelledBy && { cancelledBy: run.cancelledBy }),
    ...(failedTasks.length > 0 && {
      failedTasks: failedTasks.slice(0, NAMED_ON_LINE).map((t) => ({
        taskArn: t.taskArn,
        lastStatus: t.lastStatus,
        ...(t.stopCode && { stopCode: t.stopCode }),
        ...(t.stoppedReason && { stoppedReason: t.stoppedReason }),
        containers: t.containers.map((c) => ({
          name: c.name,
          ...(c.exitCode !== undefined && { exitCode: c.exitCode }),
          ...(c.reason && { reason: c.reason }),
        })),
      })),
      ...(failedTasks.length > NAMED_ON_LINE && { failedTasksNotNamed: failedTasks.length - NAMED_ON_LINE }),
    }),
    ...(failure &&
      run.failures.length > 0 && {
        failures: run.failures.slice(0, NAMED_ON_LINE),
        ...(run.failures.length > NAMED_ON_LINE && { failuresNotNamed: run.failures.length - NAMED_ON_LINE }),
      }),
  };
}

/** `next` (the metrics) with the run-end line logged first. */
export function withRunEndLog(log: Pick<Log, "info" | "warn">, next: RunTransitions): RunTransitions {
  return {
    created: (run) => next.created(run),
    ended(run) {
      const fields = runEndFields(run);
      if (FAILURES.has(run.status)) log.warn("run ended", fields);
      else log.info("run ended", fields);
      next.ended(run);
    },
  };
}
