/**
 * "ECS Task State Change" → the run ledger, then retries, alerts, pause. See src/runs/status.ts.
 * Deployed, the events come in SQS batches (the rule's queue): each run's events in one write, and the
 * messages of a run that could not be written reported back, so that only they come again. One event
 * straight from EventBridge (local mode, a rule targeting the function) is taken too.
 */
import type { SQSBatchResponse } from "aws-lambda";
import type { Deps } from "../src/deps.ts";
import type { LaunchFn } from "../src/runs/retry.ts";
import { handleTaskStateChange, handleTaskStateChangeBatch } from "../src/runs/status.ts";
import { isSqsBatch, sqsRecords } from "../src/triggers/sqs.ts";
import { RUN_ACTION_CLIENTS } from "./clients.ts";
import { lambdaDeps, lambdaHandler } from "./runtime.ts";

export const createStatusHandler = (deps: () => Promise<Deps>, launch?: LaunchFn) =>
  lambdaHandler(async (event: unknown): Promise<SQSBatchResponse | undefined> => {
    const d = await deps();
    const runDeps = launch ? { ...d, launch } : d;
    if (!isSqsBatch(event)) {
      await handleTaskStateChange(runDeps, event);
      return undefined;
    }
    const records = sqsRecords(event);
    if (!records) {
      d.log.warn("malformed SQS batch dropped");
      return { batchItemFailures: [] };
    }
    const report = await handleTaskStateChangeBatch(runDeps, records);
    const summary = { records: records.length, ...report.outcomes, failed: report.failed.length };
    if (report.failed.length > 0) d.log.warn("task event batch done; some come again", summary);
    else d.log.debug("task event batch done", summary);
    return { batchItemFailures: report.failed.map((id) => ({ itemIdentifier: id })) };
  });

export const handler = createStatusHandler(lambdaDeps(RUN_ACTION_CLIENTS));
