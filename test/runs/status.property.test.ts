import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { PutEventsCommand } from "@aws-sdk/client-eventbridge";
import fc from "fast-check";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { MemoryLedger } from "../../gen/memory-ledger.ts";
import type { RunEndDeps } from "../../src/app/on-run-final.ts";
import { createDynamoLedger } from "../../src/ledger/dynamo.ts";
import type { RunLedger } from "../../src/ledger/ledger.ts";
import { foldTaskEvents } from "../../src/runs/fold-events.ts";
import type { Run } from "../../src/runs/model.ts";
import type { LaunchType } from "../support/events.ts";
import { applyEvent } from "../support/status-path.ts";
import { type Dynalite, startDynalite } from "./dynalite.ts";
import { launchedRun, mocks, resetMocks, runDeps, runTaskEvents, testJob } from "./harness.ts";

const stopCodes = (
  JSON.parse(readFileSync(resolve(import.meta.dirname, "../../../shared/aws-models/ecs.json"), "utf8")) as {
    shapes: { TaskStopCode: { enum: string[] } };
  }
).shapes.TaskStopCode.enum;

interface TaskSpec {
  started: boolean;
  stopCode: string;
  launchType: LaunchType;
  exitCodes: (number | null)[];
}

const taskArb: fc.Arbitrary<TaskSpec> = fc.record({
  started: fc.boolean(),
  stopCode: fc.constantFrom(...stopCodes),
  launchType: fc.constantFrom<LaunchType>("FARGATE", "EC2"),
  exitCodes: fc.array(fc.oneof(fc.constantFrom(0, 0, 0, 1, 137), fc.constant(null)), {
    minLength: 1,
    maxLength: 2,
  }),
});

/** Tasks, which events are delivered twice, and the order of delivery (a permutation). */
const scenarioArb = (maxTasks: number) =>
  fc.array(taskArb, { minLength: 1, maxLength: maxTasks }).chain((tasks) => {
    const total = tasks.reduce((n, t) => n + (t.launchType === "FARGATE" ? 1 : 0) + (t.started ? 3 : 2), 0);
    return fc.subarray([...Array(total).keys()]).chain((dups) =>
      fc.record({
        tasks: fc.constant(tasks),
        dups: fc.constant(dups),
        order: fc.shuffledSubarray([...Array(total + dups.length).keys()], {
          minLength: total + dups.length,
          maxLength: total + dups.length,
        }),
      }),
    );
  });

function eventsOf(run: Run, tasks: readonly TaskSpec[]) {
  return tasks.flatMap((t, i) =>
    runTaskEvents(run, i, {
      started: t.started,
      stopCode: t.started ? t.stopCode : "TaskFailedToStart",
      launchType: t.launchType,
      containers: t.exitCodes.map((exitCode, c) => ({ name: c === 0 ? "app" : "sidecar", exitCode })),
    }),
  );
}

const canonical = (r: Run | undefined) =>
  r && { ...r, tasks: [...r.tasks].sort((a, b) => (a.taskArn < b.taskArn ? -1 : 1)) };

const job = testJob("alerts:\n  snsTopicArn: arn:aws:sns:us-east-1:111122223333:ops\n");

async function check(
  scenario: { tasks: TaskSpec[]; dups: number[]; order: number[] },
  makeLedger: () => Promise<RunLedger>,
) {
  resetMocks();
  const run = launchedRun("report", { expectedTasks: scenario.tasks.length });
  const events = eventsOf(run, scenario.tasks);

  // The ordered result, by the domain's fold one event at a time (no ledger).
  const expected = events.reduce((r, e) => foldTaskEvents(r, [e.detail]) ?? r, run);

  const deps: RunEndDeps = { ...runDeps([job]), ledger: await makeLedger() };
  await deps.ledger.create(run);
  const delivered = [...events, ...scenario.dups.map((i) => events[i]!)];
  const shuffled = scenario.order.map((i) => delivered[i]!);
  // Delivered concurrently: the handler's steps interleave between events, as parallel Lambdas do.
  await Promise.all(shuffled.map((e) => applyEvent(deps, e)));

  expect(canonical(await deps.ledger.get(run.runId))).toEqual(canonical(expected));
  const alerts = mocks.eventbridge.commandCalls(PutEventsCommand).length;
  expect(alerts).toBe(expected.status === "FAILED" ? 1 : 0);
  expect(mocks.sns.calls().length).toBe(alerts);
}

afterEach(() => {
  for (const m of Object.values(mocks)) m.reset();
});

describe("status handler, any order with duplicates", () => {
  it("ends in the ordered sequence's state with at most one alert per run (memory ledger)", async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb(12), (s) => check(s, async () => new MemoryLedger())),
      { numRuns: 150 },
    );
  });

  describe("against dynalite", () => {
    let db: Dynalite;
    beforeAll(async () => {
      db = await startDynalite();
    });
    afterAll(async () => {
      await db.close();
    });

    it("ends in the ordered sequence's state with at most one alert per run (DynamoDB ledger)", async () => {
      await fc.assert(
        fc.asyncProperty(scenarioArb(6), (s) =>
          check(s, async () => {
            const tableName = await db.table();
            return createDynamoLedger(db.client, { tableName, retentionDays: 1 });
          }),
        ),
        { numRuns: 12 },
      );
    });
  });
});
