/**
 * "ECS Task State Change" → the run ledger, then retries, alerts, pause. See src/app/on-task-events.ts.
 * Deployed, the events come in SQS batches (the rule's queue): each run's events in one write, and the
 * messages of a run that could not be written reported back, so that only they come again. One event
 * straight from EventBridge (a rule targeting the function, as tests and older stacks invoke it) takes the
 * same batch path, as a batch of one; a fault throws, so that Lambda's asynchronous retry delivers it again.
 */
import type { SQSBatchResponse } from "aws-lambda";
import type { Deps } from "../src/app/deps.ts";
import { onRetryDue } from "../src/app/on-run-final.ts";
import { handleTaskStateChangeBatch } from "../src/app/on-task-events.ts";
import type { LaunchFn } from "../src/app/retry.ts";
import { looksLikeRetryDue, RetryDueSchema } from "../src/triggers/retry-due.ts";
import { isSqsBatch, sqsRecords } from "../src/triggers/sqs.ts";
import { LAMBDA_CLIENTS } from "./lambda-clients.ts";
import { lambdaDeps, lambdaHandler } from "./runtime.ts";

export const createStatusHandler = (deps: () => Promise<Deps>, launch?: LaunchFn) =>
  lambdaHandler(async (event: unknown): Promise<SQSBatchResponse | undefined> => {
    const d = await deps();
    const runDeps = launch ? { ...d, launch } : d;
    if (!isSqsBatch(event)) {
      const one = await handleTaskStateChangeBatch(runDeps, [{ id: "event", event }]);
      if (one.faults.length > 0) throw one.faults[0];
      return undefined;
    }
    const records = sqsRecords(event);
    if (!records) {
      d.log.warn("malformed SQS batch dropped");
      return { batchItemFailures: [] };
    }
    const retries = records.filter((r) => looksLikeRetryDue(r.event));
    const report = await handleTaskStateChangeBatch(
      runDeps,
      records.filter((r) => !looksLikeRetryDue(r.event)),
    );
    // Delayed retries (policy.retries.delaySeconds) come on the same queue; each one on its own.
    for (const record of retries) {
      const due = RetryDueSchema.safeParse(record.event);
      if (!due.success) {
        d.log.warn("malformed retry message dropped", { messageId: record.id });
        continue;
      }
      try {
        await onRetryDue(runDeps, due.data);
      } catch (error) {
        d.log.error("delayed retry failed; it comes again", { runId: due.data.runId, error: String(error) });
        report.failed.push(record.id);
      }
    }
    const summary = { records: records.length, ...report.outcomes, failed: report.failed.length };
    if (report.failed.length > 0) d.log.warn("task event batch done; some come again", summary);
    else d.log.debug("task event batch done", summary);
    return { batchItemFailures: report.failed.map((id) => ({ itemIdentifier: id })) };
  });

export const handler = createStatusHandler(lambdaDeps(LAMBDA_CLIENTS));
