/**
 * Run metrics are counted once per run end, against the DynamoDB ledger on dynalite: duplicate, shuffled
 * and re-delivered task events, two "Lambda containers" (ledger instances with their own caches) working
 * on the same run at once, a deadline racing the last event, a repeated create.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seededRandom } from "../../local/ecs/faults.ts";
import { handleTaskStateChangeBatch } from "../../src/app/on-task-events.ts";
import { createDynamoLedger } from "../../src/ledger/dynamo.ts";
import { type MetricDatum, metricsOnTransitions } from "../../src/runs/metrics.ts";
import { shuffled } from "../support/events.ts";
import { type Dynalite, startDynalite } from "./dynalite.ts";
import { launchedRun, runDeps, runTaskEvents, testJob, useRunMocks } from "./harness.ts";

useRunMocks();

let db: Dynalite;
beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => {
  await db.close();
});

type Sent = { job: string; metrics: readonly MetricDatum[] };

/** Two ledger instances on one table, as two Lambda containers would have, both reporting to `sent`. */
async function containers(sent: Sent[]) {
  const tableName = await db.table();
  const sink = { emit: (job: string, metrics: readonly MetricDatum[]) => sent.push({ job, metrics }) };
  const open = () =>
    createDynamoLedger(db.newClient(), {
      tableName,
      retentionDays: 30,
      transitions: metricsOnTransitions(sink),
    });
  return [open(), open()] as const;
}

const names = (sent: Sent[]) => sent.flatMap((s) => s.metrics.map((m) => m.name));

describe("run metrics against the DynamoDB ledger", () => {
  it("a run's end is counted once, whatever duplicates and concurrent deliveries the status handler gets", async () => {
    const sent: Sent[] = [];
    const [a, b] = await containers(sent);
    const job = testJob();
    const run = launchedRun(job.name, { expectedTasks: 2 });
    await a.create(run);
    const events = [...runTaskEvents(run, 1), ...runTaskEvents(run, 2)];
    const delivery = shuffled([...events, ...events], seededRandom(7)).map((event, i) => ({
      id: `m${i}`,
      event,
    }));
    const half = Math.floor(delivery.length / 2);
    const depsA = { ...runDeps([job]), ledger: a };
    const depsB = { ...runDeps([job]), ledger: b };
    await Promise.all([
      handleTaskStateChangeBatch(depsA, delivery.slice(0, half)),
      handleTaskStateChangeBatch(depsB, delivery.slice(half)),
    ]);
    // SQS delivers the whole batch again (a Lambda retry): nothing more is counted.
    await handleTaskStateChangeBatch(depsB, delivery);
    expect((await a.get(run.runId))?.status).toBe("SUCCEEDED");
    // Tasks start 24 s after the run's createdAt (11:00:05) and stop at +86 s; the schedule fired 11:00:00.
    expect(sent).toEqual([
      {
        job: job.name,
        metrics: [
          { name: "RunsSucceeded", unit: "Count", value: 1 },
          { name: "RunDuration", unit: "Seconds", value: 62 },
          { name: "StartLatency", unit: "Seconds", value: 29 },
        ],
      },
    ]);
  });

  it("a deadline and the stopping task racing end the run once, as whichever won", async () => {
    const sent: Sent[] = [];
    const [a, b] = await containers(sent);
    const run = launchedRun("report");
    await a.create(run);
    const stopped = runTaskEvents(run, 1).map((e) => e.detail);
    await Promise.all([
      a.finish(run.runId, "TIMED_OUT", { hint: "timed out" }),
      b.finish(run.runId, "TIMED_OUT", { hint: "timed out" }),
      b.applyTaskEvents(run.runId, stopped),
    ]);
    await a.applyTaskEvents(run.runId, stopped);
    const final = await a.get(run.runId);
    expect(names(sent).filter((n) => n.startsWith("Runs"))).toEqual([
      final?.status === "TIMED_OUT" ? "RunsTimedOut" : "RunsSucceeded",
    ]);
  });

  it("a MISSED run created by two sweeps is counted once; a retry attempt created twice, once", async () => {
    const sent: Sent[] = [];
    const [a, b] = await containers(sent);
    const missed = launchedRun("report", { status: "MISSED", runId: "missed-1" });
    const retry = launchedRun("report", { runId: "retry-2", attempt: 2 });
    await Promise.all([a.create(missed), b.create(missed), a.create(retry), b.create(retry)]);
    expect(sent.map((s) => s.metrics.map((m) => m.name))).toEqual(
      expect.arrayContaining([["RunsMissed"], ["Retries"]]),
    );
    expect(sent).toHaveLength(2);
  });

  it("a run that fails at launch (every task refused) is counted once, however often the launch is recorded", async () => {
    const sent: Sent[] = [];
    const [a, b] = await containers(sent);
    const run = launchedRun("report", { expectedTasks: 2 });
    await a.create(run);
    const refused = { tasks: [], failures: [{ reason: "RESOURCE:MEMORY" }, { reason: "RESOURCE:MEMORY" }] };
    await a.recordLaunch(run.runId, refused);
    await b.recordLaunch(run.runId, refused);
    expect((await a.get(run.runId))?.status).toBe("FAILED");
    expect(names(sent)).toEqual(["RunsFailed"]);
  });
});
