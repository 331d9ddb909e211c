/**
 * Every AWS call of an ordinary launch, failed in turn past the SDK's retries (throttling, DynamoDB's
 * ProvisionedThroughputExceeded, a 5xx), in the schedule and http handlers: a failed launch never leaves a
 * run stuck (PENDING with no task, and nothing that will move it) or the job's concurrency slot held.
 *
 * The ledger is the real DynamoDB one, on dynalite; its faults are thrown by a middleware in front of the
 * client's retries (aws-sdk-client-mock replaces `send`, so it cannot stand in front of a real table). ECS is
 * aws-sdk-client-mock, failing its Nth call. Each scenario: the invocation with the fault; the trigger's
 * redelivery when the invocation failed and the trigger redelivers (Scheduler does, an HTTP caller may
 * not); the sweeper three minutes later, past the launch lease; then the checks.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createHttpHandler } from "../../handlers/http.ts";
import { createScheduleHandler } from "../../handlers/schedule.ts";
import { sweep } from "../../src/app/sweep.ts";
import type { RunLedger } from "../../src/ledger/ledger.ts";
import { isFinal, type Run } from "../../src/runs/model.ts";
import { lambdaContext } from "../launch/harness.ts";
import { testJob, useRunMocks } from "../runs/harness.ts";
import { apiGatewayV2 } from "../support/events.ts";
import { type Container, FAULTS, faultyContainer, type Launch, useDynalite } from "./support-aws-faults.ts";

useRunMocks();
const db = useDynalite();

const forbid = testJob(`schedule: { expression: "rate(1 hour)" }
http: {}
policy: { concurrency: forbid }
`);

const container = (launch: Launch = "placed") =>
  faultyContainer(db(), [forbid], new Date("2026-03-10T11:00:10Z"), launch);

/** The job's runs, newest first. */
const runsOf = async (ledger: RunLedger) => (await ledger.listByJob("report")).runs;

/**
 * What must hold however the launch failed: each run is final or has its task recorded, and the job's slot
 * is free for the next firing unless a run that really runs holds it.
 */
async function expectNothingStuck(c: Container, label: string) {
  c.state.fault = undefined;
  c.deps.clock.now = new Date("2026-03-10T11:03:10Z");
  await sweep(c.deps);
  const runs = await runsOf(c.deps.ledger);
  for (const run of runs)
    expect(isFinal(run.status) || run.tasks.length > 0, `${label}: run ${run.status} with no task`).toBe(
      true,
    );
  const next = (await createScheduleHandler(async () => c.deps)(
    { job: "report", executionId: "exec-next", scheduledTime: "2026-03-10T12:00:00Z" },
    lambdaContext,
  )) as { runId: string; status: Run["status"] };
  if (next.status === "SKIPPED") {
    const holders = runs.filter((r) => !isFinal(r.status));
    expect(holders.length, `${label}: the next firing SKIPPED with no live run`).toBeGreaterThan(0);
    for (const r of holders)
      expect(r.tasks.length, `${label}: slot held by a run with no task`).toBeGreaterThan(0);
  }
}

interface Trigger {
  name: string;
  /** One delivery; resolves to whether the invocation failed (and so whether the trigger redelivers). */
  deliver(c: Container): Promise<"failed" | "answered">;
  redelivers: boolean;
}

const scheduleInput = { job: "report", executionId: "exec-1", scheduledTime: "2026-03-10T11:00:00Z" };
const post = apiGatewayV2("POST", "/jobs/report/runs", "{}");

const TRIGGERS: Trigger[] = [
  {
    name: "schedule",
    redelivers: true,
    deliver: (c) =>
      createScheduleHandler(async () => c.deps)(scheduleInput, lambdaContext).then(
        () => "answered",
        () => "failed",
      ),
  },
  {
    name: "http",
    redelivers: false,
    async deliver(c) {
      const res = (await createHttpHandler(async () => c.deps)(post, lambdaContext)) as {
        statusCode: number;
      };
      return res.statusCode >= 500 ? "failed" : "answered";
    },
  },
];

describe.each(TRIGGERS)("a launch by the $name handler with one AWS call failing", (trigger) => {
  it("counts the calls of an ordinary launch", async () => {
    const c = await container();
    expect(await trigger.deliver(c)).toBe("answered");
    const [run] = await runsOf(c.deps.ledger);
    expect(run?.tasks).toHaveLength(1);
    // Create, claim the slot, record the launch (at least); ListTasks and RunTask.
    expect(c.state.dynamo).toBeGreaterThanOrEqual(3);
    expect(c.state.ecs).toBe(2);
  });

  for (const launch of ["placed", "refused", "ECS down"] as const) {
    const ordinary = { dynamo: 0, ecs: 0 };
    beforeAll(async () => {
      const c = await container(launch);
      await trigger.deliver(c);
      ordinary.dynamo = c.state.dynamo;
      ordinary.ecs = c.state.ecs;
    });

    // Past the SDK's retries no code tells a throttle from a 5xx: every kind on the ordinary launch, the
    // first of each service on the failed ones (each scenario costs a table; the suite's time is shared).
    const kinds =
      launch === "placed"
        ? FAULTS
        : FAULTS.filter(([service], i) => FAULTS.findIndex(([s]) => s === service) === i);
    for (const [service, name, error] of kinds)
      it(`RunTask ${launch}, ${service} ${name} at each call: no run stuck, no slot held`, async () => {
        const calls = service === "dynamodb" ? ordinary.dynamo : ordinary.ecs;
        expect(calls).toBeGreaterThan(0);
        for (let call = 1; call <= calls; call++) {
          const c = await container(launch);
          c.state.fault = { service, call, error };
          const first = await trigger.deliver(c);
          if (first === "failed" && trigger.redelivers) {
            c.state.fault = undefined;
            expect(await trigger.deliver(c), `${service} call ${call}: the redelivery`).toBe("answered");
          }
          await expectNothingStuck(
            c,
            `${trigger.name}, RunTask ${launch}, ${service} ${name} at call ${call} (${first})`,
          );
        }
      });
  }
});
