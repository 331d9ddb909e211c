/**
 * The usual do-it-yourself set-up, as a model that counts what one run costs it:
 * - EventBridge Scheduler with an ECS RunTask target, no Lambda: one schedule invocation and one RunTask
 *   per 10 tasks (a Scheduler ECS target starts at most 10 tasks, so a larger run needs one target per 10);
 * - an EventBridge rule on "ECS Task State Change" targeting a Lambda function: one invocation per event
 *   (EventBridge invokes a function once per event; no batching, no queue);
 * - that function writes each event to a ledger table: one UpdateItem per event, unconditional, no read;
 *   the ledger item is one task's state (under 1 KB), so 1 WCU a write;
 * - on failure it publishes to SNS: one Publish per STOPPED event of a task that failed (non-zero essential
 *   exit code or failed to start): it has no run to aggregate, so it alerts per task.
 * ECS's own events to EventBridge cost nothing in either set-up.
 */
import { emptyTally, type Tally } from "./counter.ts";

export interface RunShape {
  /** Tasks of the run. */
  tasks: number;
  /** Task state change events the run's tasks emitted (the same stream both set-ups get). */
  events: number;
  /** Tasks that stopped failed. */
  failedTasks: number;
}

export interface DiyCost extends Tally {
  lambdaInvocations: number;
  schedulerInvocations: number;
  sqsMessages: number;
}

/** What the model above says one run costs. */
export function diyCost(run: RunShape): DiyCost {
  const tally = emptyTally();
  const add = (operation: string, n: number) => {
    if (n > 0) tally.calls.set(operation, n);
  };
  add("ECS.RunTask", Math.ceil(run.tasks / 10));
  add("DynamoDB.UpdateItem", run.events);
  add("SNS.Publish", run.failedTasks);
  return {
    ...tally,
    writes: run.events,
    wcu: run.events,
    lambdaInvocations: run.events,
    schedulerInvocations: Math.ceil(run.tasks / 10),
    sqsMessages: 0,
  };
}
