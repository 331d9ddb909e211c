/**
 * A failed run's alert goes out once per channel on the DynamoDB ledger (dynalite) with its channels claimed
 * in one write: two status instances (Lambda containers, each its own ledger and cache) get the run's events
 * duplicated and in different orders at the same time; and a send that fails is sent again on the retry,
 * that channel alone.
 */
import { PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { PublishCommand } from "@aws-sdk/client-sns";
import { describe, expect, it } from "vitest";
import { handleTaskStateChangeBatch } from "../../src/app/on-task-events.ts";
import { ledgerInstances } from "./dynalite.ts";
import { launchedRun, mocks, runDeps, runTaskEvents, testJob, useRunMocks } from "./harness.ts";

const TOPIC = "arn:aws:sns:us-east-1:111122223333:ops";
const job = testJob(`alerts:\n  snsTopicArn: ${TOPIC}\n`);

let runs = 0;

useRunMocks();
const ledgerInstance = ledgerInstances();

/** Deps of one status container: the mocked AWS clients, its own DynamoDB ledger. */
const container = () => ({ ...runDeps([job]), ledger: ledgerInstance().ledger });

const failingRun = () => {
  const run = launchedRun("report", { runId: `run-alert-once-${++runs}` });
  const events = runTaskEvents(run, 0, { containers: [{ name: "app", exitCode: 1 }] });
  return { run, events };
};

const batch = (events: readonly unknown[]) => events.map((event, i) => ({ id: `m${i}`, event }));

describe("failure alert on the DynamoDB ledger", () => {
  it("is sent once per channel when two instances get duplicated, reordered events at once", async () => {
    const { run, events } = failingRun();
    const a = container();
    const b = container();
    await a.ledger.create(run);
    const reports = await Promise.all([
      handleTaskStateChangeBatch(a, batch([...events, ...events])),
      handleTaskStateChangeBatch(b, batch([...events].reverse())),
      ...events.map((e) => handleTaskStateChangeBatch(b, batch([e]))),
      ...events.map((e) => handleTaskStateChangeBatch(a, batch([e]))),
    ]);
    expect(reports.flatMap((r) => r.failed)).toEqual([]);
    expect((await a.ledger.get(run.runId))?.status).toBe("FAILED");
    expect(mocks.eventbridge).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    expect(mocks.sns).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  it("sends again only the channel whose send failed, on the retried delivery", async () => {
    const { run, events } = failingRun();
    const a = container();
    const b = container();
    await a.ledger.create(run);
    mocks.sns.on(PublishCommand).rejectsOnce(new Error("SNS throttled")).resolves({ MessageId: "m-2" });
    const first = await handleTaskStateChangeBatch(a, batch(events));
    expect(first.failed).toHaveLength(events.length);
    // The retry lands on another container, as a redelivered SQS message may.
    const retry = await handleTaskStateChangeBatch(b, batch(events));
    expect(retry.failed).toEqual([]);
    await handleTaskStateChangeBatch(a, batch(events));
    expect(mocks.eventbridge).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    expect(mocks.sns).toHaveReceivedCommandTimes(PublishCommand, 2);
  });
});
