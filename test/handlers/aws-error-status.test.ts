/**
 * The status handler with each AWS call of an ordinary batch failed in turn past the SDK's retries: two
 * runs end in one SQS batch, one FAILED (and retried: a RunTask; not alerted, a retry follows) and one
 * SUCCEEDED. The messages the handler reports failed are delivered again, as SQS does, until none is; the
 * end must be the batch's without faults — no event lost, no run left short of its end, no alert or retry
 * twice. One difference is by design (issue 13): a retry whose RunTask fails past the SDK's retries is a
 * failed launch, so that attempt ends FAILED, and being the last, is alerted.
 */
import { PutEventsCommand } from "@aws-sdk/client-eventbridge";
import type { SQSBatchResponse } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { createStatusHandler } from "../../handlers/status.ts";
import { lambdaContext } from "../launch/harness.ts";
import { launchedRun, mocks, runTaskEvents, testJob, useRunMocks } from "../runs/harness.ts";
import { sqsBatch } from "../support/events.ts";
import { type Container, FAULTS, faultyContainer, useDynalite } from "./support-aws-faults.ts";

useRunMocks();
const db = useDynalite();

const job = testJob(`policy: { retries: { attempts: 1, on: ["exit:1"] } }
alerts: { on: [FAILED] }
`);
const failing = launchedRun("report", { runId: "20260310T110000Z-aaaaaaaa" });
const passing = launchedRun("report", { runId: "20260310T110000Z-bbbbbbbb" });
const events = [
  ...runTaskEvents(failing, 0, { containers: [{ name: "app", exitCode: 1 }] }),
  ...runTaskEvents(passing, 0, { containers: [{ name: "app", exitCode: 0 }] }),
];
const batch = sqsBatch(events) as { Records: { messageId: string }[] };

async function setUp(): Promise<Container> {
  const c = await faultyContainer(db(), [job], new Date("2026-03-10T11:05:00Z"));
  for (const run of [failing, passing]) await c.deps.ledger.create(run);
  c.state.dynamo = 0;
  return c;
}

const deliver = async (c: Container, records: { messageId: string }[]) =>
  (await createStatusHandler(async () => c.deps)({ Records: records }, lambdaContext)) as SQSBatchResponse;

/** Where the batch left the job: each run's status and attempt, and the alerts sent for this container. */
async function outcome(c: Container, alertsBefore: number) {
  const { runs } = await c.deps.ledger.listByJob("report");
  return {
    runs: runs.map((r) => `${r.runId.slice(-8)} attempt ${r.attempt} ${r.status}`).sort(),
    alerts: mocks.eventbridge.commandCalls(PutEventsCommand).length - alertsBefore,
    retriesLaunched: c.runTasks(),
  };
}

describe("a status batch with one AWS call failing", () => {
  it("without a fault: FAILED and retried (not alerted: a retry follows), SUCCEEDED, nothing reported failed", async () => {
    const c = await setUp();
    expect(await deliver(c, batch.Records)).toEqual({ batchItemFailures: [] });
    expect(await outcome(c, 0)).toEqual({
      runs: [
        expect.stringMatching(/^aaaaaaaa attempt 1 FAILED$/),
        expect.stringMatching(/^bbbbbbbb attempt 1 SUCCEEDED$/),
        expect.stringMatching(/attempt 2 (PENDING|RUNNING)$/),
      ].sort(),
      alerts: 0,
      retriesLaunched: 1,
    });
  });

  for (const [service, name, error] of FAULTS)
    it(`${service} ${name} at each call: the failed messages come again, and end as without the fault`, async () => {
      const clean = await setUp();
      await deliver(clean, batch.Records);
      const calls = service === "dynamodb" ? clean.state.dynamo : clean.state.ecs;
      const expected = await outcome(clean, 0);
      expect(calls).toBeGreaterThan(0);
      for (let call = 1; call <= calls; call++) {
        const c = await setUp();
        const alertsBefore = mocks.eventbridge.commandCalls(PutEventsCommand).length;
        c.state.fault = { service, call, error };
        let answer = await deliver(c, batch.Records);
        c.state.fault = undefined;
        for (let round = 0; answer.batchItemFailures.length > 0 && round < 3; round++) {
          const again = new Set(answer.batchItemFailures.map((f) => f.itemIdentifier));
          answer = await deliver(
            c,
            batch.Records.filter((r) => again.has(r.messageId)),
          );
        }
        expect(answer.batchItemFailures, `${service} call ${call}`).toEqual([]);
        const after = await outcome(c, alertsBefore);
        const retryFailedAtLaunch = service === "ecs" && after.runs.some((r) => / attempt 2 FAILED$/.test(r));
        expect(after, `${service} ${name} at call ${call}`).toEqual(
          retryFailedAtLaunch
            ? {
                runs: expected.runs.map((r) => r.replace(/ attempt 2 \w+$/, " attempt 2 FAILED")),
                alerts: 1,
                retriesLaunched: 0,
              }
            : expected,
        );
      }
    });
});
