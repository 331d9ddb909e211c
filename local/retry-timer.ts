/**
 * The local stand-in for delayed retries (src/aws/retry-queue.ts): the due retry goes to the status handler
 * through the local task events queue after its delay, as the SQS message with DelaySeconds does in AWS.
 * Unlike SQS, a retry still waiting when the stack stops is not kept: its failed run stays FAILED without
 * the retry (the stop is logged with the runs it drops).
 */
import type { RetryDue } from "../src/host/domain.ts";
import type { RetryTimer } from "../src/host/wiring.ts";

export interface LocalRetryTimer extends RetryTimer {
  /** Runs whose retry is still waiting; cancels them. */
  close(): string[];
}

export function createLocalRetryTimer(deliver: (due: RetryDue) => void): LocalRetryTimer {
  const waiting = new Map<NodeJS.Timeout, string>();
  return {
    async after(seconds, due) {
      const timer = setTimeout(() => {
        waiting.delete(timer);
        deliver(due);
      }, seconds * 1_000);
      waiting.set(timer, due.runId);
    },
    close() {
      const dropped = [...waiting.values()];
      for (const t of waiting.keys()) clearTimeout(t);
      waiting.clear();
      return dropped;
    },
  };
}
