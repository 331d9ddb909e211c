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
import {
  DynamoDBServiceException,
  InternalServerError,
  ProvisionedThroughputExceededException,
} from "@aws-sdk/client-dynamodb";
import {
  DescribeTasksCommand,
  type DescribeTasksCommandInput,
  ECSServiceException,
  ListTasksCommand,
  RunTaskCommand,
  type RunTaskCommandInput,
  ServerException,
  type Task,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpHandler } from "../../handlers/http.ts";
import { createScheduleHandler } from "../../handlers/schedule.ts";
import { sweep } from "../../src/app/sweep.ts";
import { createDynamoLedger } from "../../src/ledger/dynamo.ts";
import type { RunLedger } from "../../src/ledger/ledger.ts";
import { isFinal, type Run } from "../../src/runs/model.ts";
import { ecsTask, lambdaContext } from "../launch/harness.ts";
import { type Dynalite, startDynalite } from "../runs/dynalite.ts";
import { mocks, runDeps, testJob, useRunMocks } from "../runs/harness.ts";
import { apiGatewayV2 } from "../support/events.ts";

useRunMocks();

let db: Dynalite;
beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => {
  await db.close();
});

const $metadata = { httpStatusCode: 400 };
const DYNAMO_FAULTS: Record<string, () => Error> = {
  ThrottlingException: () =>
    new DynamoDBServiceException({
      name: "ThrottlingException",
      $fault: "client",
      $metadata,
      message: "Rate exceeded",
    }),
  ProvisionedThroughputExceededException: () =>
    new ProvisionedThroughputExceededException({
      $metadata,
      message: "The level of configured provisioned throughput for the table was exceeded.",
    }),
  InternalServerError: () =>
    new InternalServerError({ $metadata: { httpStatusCode: 500 }, message: "Internal server error" }),
};
const ECS_FAULTS: Record<string, () => Error> = {
  ThrottlingException: () =>
    new ECSServiceException({
      name: "ThrottlingException",
      $fault: "client",
      $metadata,
      message: "Rate exceeded",
    }),
  ServerException: () =>
    new ServerException({ $metadata: { httpStatusCode: 500 }, message: "Service Unavailable" }),
};

/** How RunTask answers when no fault is injected: tasks placed, every task refused, or a 5xx each time. */
type Launch = "placed" | "refused" | "ECS down";

type Fault = { service: "dynamodb" | "ecs"; call: number; error: () => Error } | undefined;

const forbid = testJob(`schedule: { expression: "rate(1 hour)" }
http: {}
policy: { concurrency: forbid }
`);

/** A Lambda container's deps: the DynamoDB ledger on a fresh table, calls counted and failed as `fault` says. */
async function container(launch: Launch = "placed") {
  const client = db.newClient();
  const state = { fault: undefined as Fault, dynamo: 0, ecs: 0 };
  client.middlewareStack.add(
    (next) => async (args) => {
      state.dynamo++;
      if (state.fault?.service === "dynamodb" && state.fault.call === state.dynamo) throw state.fault.error();
      return next(args);
    },
    { step: "initialize", name: "testFaults" },
  );
  const ledger: RunLedger = createDynamoLedger(client, { tableName: await db.table(), retentionDays: 1 });
  const deps = { ...runDeps([forbid], { now: new Date("2026-03-10T11:00:10Z") }), ledger };

  // ECS: RunTask places every task, which then runs; the Nth ECS call fails when the fault says so.
  const tasks = new Map<string, Task>();
  const ecsCall =
    <I, O>(answer: (input: I) => O) =>
    (input: I) => {
      state.ecs++;
      if (state.fault?.service === "ecs" && state.fault.call === state.ecs) throw state.fault.error();
      return answer(input);
    };
  mocks.ecs.on(ListTasksCommand).callsFake(ecsCall(() => ({ taskArns: [] })));
  mocks.ecs.on(RunTaskCommand).callsFake(
    ecsCall((input: RunTaskCommandInput) => {
      if (launch === "refused") return { tasks: [], failures: [{ reason: "RESOURCE:MEMORY" }] };
      if (launch === "ECS down") throw ECS_FAULTS.ServerException?.();
      // The same clientToken gets the same tasks back, as ECS answers a repeated request.
      const key = input.clientToken ?? String(Math.random());
      const task = tasks.get(key) ?? {
        ...ecsTask(input.startedBy ? { startedBy: input.startedBy } : {}),
        lastStatus: "RUNNING",
      };
      tasks.set(key, task);
      return { tasks: [task], failures: [] };
    }),
  );
  mocks.ecs.on(DescribeTasksCommand).callsFake(
    ecsCall((input: DescribeTasksCommandInput) => ({
      tasks: [...tasks.values()].filter((t) => input.tasks?.includes(t.taskArn ?? "")),
      failures: [],
    })),
  );
  return { deps, state };
}

/** The job's runs, newest first. */
const runsOf = async (ledger: RunLedger) => (await ledger.listByJob("report")).runs;

/**
 * What must hold however the launch failed: each run is final or has its task recorded, and the job's slot
 * is free for the next firing unless a run that really runs holds it.
 */
async function expectNothingStuck(c: Awaited<ReturnType<typeof container>>, label: string) {
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
  deliver(c: Awaited<ReturnType<typeof container>>): Promise<"failed" | "answered">;
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

    for (const [service, faults] of [
      ["dynamodb", DYNAMO_FAULTS],
      ["ecs", ECS_FAULTS],
    ] as const)
      for (const [name, error] of Object.entries(faults))
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
            console.error("STEP", trigger.name, launch, service, name, call, "of", calls, first);
            await expectNothingStuck(
              c,
              `${trigger.name}, RunTask ${launch}, ${service} ${name} at call ${call} (${first})`,
            );
          }
        });
  }
});
