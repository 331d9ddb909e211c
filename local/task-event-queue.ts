/**
 * The local stand-in for the task events queue and its event source mapping (deploy/stack.ts): a run's task
 * events gather while the run's previous batch is with the status handler, and go to it as one SQS batch (at
 * most 100 messages), in the order ECS emitted them, as the deployed function receives them. The messages it
 * reports failed (batchItemFailures) are delivered again with the bus's retries, then dropped with a log
 * line (in AWS: the dead-letter queue after 5 receives; the sweeper's DescribeTasks still ends the run).
 */
import { randomUUID } from "node:crypto";
import type { SQSEvent, SQSRecord } from "aws-lambda";
import type { LocalEventBus } from "./event-bus.ts";

/** As deployed (TASK_EVENTS.batchSize in deploy/stack.ts): what one invocation gets at most. */
const MAX_BATCH = 100;

interface OpenBatch {
  records: SQSRecord[];
  delivered: Promise<boolean>;
}

export interface TaskEventQueue {
  /** Queues one event under `key` (a run); resolves to whether its batch was applied in full, retries included. */
  send(key: string, label: string, event: unknown): Promise<boolean>;
}

export function createTaskEventQueue(o: {
  bus: LocalEventBus;
  status: (batch: SQSEvent) => Promise<unknown>;
  queueArn: string;
  region: string;
}): TaskEventQueue {
  const open = new Map<string, OpenBatch>();
  const record = (event: unknown): SQSRecord => {
    const id = randomUUID();
    const sent = String(Date.now());
    return {
      messageId: id,
      receiptHandle: id,
      body: JSON.stringify(event),
      attributes: {
        ApproximateReceiveCount: "1",
        SentTimestamp: sent,
        SenderId: "events.amazonaws.com",
        ApproximateFirstReceiveTimestamp: sent,
      },
      messageAttributes: {},
      md5OfBody: "",
      eventSource: "aws:sqs",
      eventSourceARN: o.queueArn,
      awsRegion: o.region,
    };
  };
  return {
    send(key, label, event) {
      const pending = open.get(key);
      if (pending && pending.records.length < MAX_BATCH) {
        pending.records.push(record(event));
        return pending.delivered;
      }
      const batch = { records: [record(event)] } as OpenBatch;
      open.set(key, batch);
      batch.delivered = o.bus.publish(key, label, batch, async (b) => {
        // From here on, the run's next events start the next batch.
        if (open.get(key) === b) open.delete(key);
        const answer = (await o.status({ Records: b.records })) as
          | { batchItemFailures?: { itemIdentifier: string }[] }
          | undefined;
        const failed = new Set((answer?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
        if (failed.size === 0) return;
        b.records = b.records.filter((r) => failed.has(r.messageId));
        throw new Error(`${failed.size} of the batch's task events were not applied`);
      });
      return batch.delivered;
    },
  };
}
