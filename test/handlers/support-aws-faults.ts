/**
 * For the tests that fail each AWS call of an invocation in turn: the real DynamoDB ledger on dynalite, its
 * faults thrown by a middleware in front of the client's retries (aws-sdk-client-mock replaces `send`, so it
 * cannot stand in front of a real table), and ECS through aws-sdk-client-mock failing its Nth call. A fault
 * is the error the SDK throws once its retries are spent: throttling, DynamoDB's
 * ProvisionedThroughputExceeded, a 5xx.
 */
import {
  DynamoDBServiceException,
  InternalServerError,
  ProvisionedThroughputExceededException,
} from "@aws-sdk/client-dynamodb";
import {
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  type DescribeTasksCommandInput,
  ECSServiceException,
  ListTasksCommand,
  type ListTasksCommandInput,
  RunTaskCommand,
  type RunTaskCommandInput,
  ServerException,
  StartTaskCommand,
  type StartTaskCommandInput,
  type Task,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll } from "vitest";
import type { Job } from "../../src/jobspec/schema.ts";
import { createDynamoLedger } from "../../src/ledger/dynamo.ts";
import type { RunLedger } from "../../src/ledger/ledger.ts";
import { ecsTask } from "../launch/harness.ts";
import { type Dynalite, startDynalite } from "../runs/dynalite.ts";
import { mocks, runDeps } from "../runs/harness.ts";

const $metadata = { httpStatusCode: 400 };

export const DYNAMO_FAULTS: Record<string, () => Error> = {
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

export const ECS_FAULTS: Record<string, () => Error> = {
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

/** Each service's faults, for `for (const [service, name, error] of FAULTS)`. */
export const FAULTS = [
  ...Object.entries(DYNAMO_FAULTS).map(([name, error]) => ["dynamodb", name, error] as const),
  ...Object.entries(ECS_FAULTS).map(([name, error]) => ["ecs", name, error] as const),
];

/** How RunTask answers when no fault is injected: tasks placed, every task refused, or a 5xx each time. */
export type Launch = "placed" | "refused" | "ECS down";

export type Fault = { service: "dynamodb" | "ecs"; call: number; error: () => Error } | undefined;

/** dynalite for the calling test file, started before its tests and closed after them. */
export function useDynalite(): () => Dynalite {
  let db: Dynalite | undefined;
  beforeAll(async () => {
    db = await startDynalite();
  });
  afterAll(async () => {
    await db?.close();
  });
  return () => {
    if (!db) throw new Error("dynalite is used in a test, after it has started");
    return db;
  };
}

export type Container = Awaited<ReturnType<typeof faultyContainer>>;

/**
 * A Lambda container's deps: the DynamoDB ledger on a fresh table, its DynamoDB and ECS calls counted and
 * the one `state.fault` names failed. ECS: RunTask and StartTask answer as `launch` says (placed tasks run at
 * once, and a repeated RunTask clientToken gets its tasks back), DescribeTasks tells the placed tasks,
 * ListTasks lists them (by startedBy when asked), DescribeContainerInstances gives a registration time.
 */
export async function faultyContainer(
  db: Dynalite,
  jobs: readonly Job[],
  now: Date,
  launch: Launch = "placed",
) {
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
  const deps = { ...runDeps(jobs, { now }), ledger };

  const tasks = new Map<string, Task>();
  const ecsCall =
    <I, O>(answer: (input: I) => O) =>
    (input: I) => {
      state.ecs++;
      if (state.fault?.service === "ecs" && state.fault.call === state.ecs) throw state.fault.error();
      return answer(input);
    };
  mocks.ecs.on(ListTasksCommand).callsFake(
    ecsCall((input: ListTasksCommandInput) => ({
      taskArns: [...tasks.values()]
        .filter((t) => input.startedBy === undefined || t.startedBy === input.startedBy)
        .map((t) => t.taskArn),
    })),
  );
  mocks.ecs.on(StartTaskCommand).callsFake(
    ecsCall((input: StartTaskCommandInput) => {
      if (launch === "refused") return { tasks: [], failures: [{ reason: "RESOURCE:MEMORY" }] };
      if (launch === "ECS down") throw ECS_FAULTS.ServerException?.();
      const task = {
        ...ecsTask(input.startedBy ? { startedBy: input.startedBy } : {}),
        lastStatus: "RUNNING",
      };
      tasks.set(String(tasks.size), task);
      return { tasks: [task], failures: [] };
    }),
  );
  mocks.ecs.on(DescribeContainerInstancesCommand).callsFake(
    ecsCall(() => ({
      containerInstances: [{ registeredAt: new Date("2026-03-10T10:59:00Z") }],
      failures: [],
    })),
  );
  mocks.ecs.on(RunTaskCommand).callsFake(
    ecsCall((input: RunTaskCommandInput) => {
      if (launch === "refused") return { tasks: [], failures: [{ reason: "RESOURCE:MEMORY" }] };
      if (launch === "ECS down") throw ECS_FAULTS.ServerException?.();
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
  /** ECS is back (or down) from now on. */
  const setLaunch = (l: Launch) => {
    launch = l;
  };
  return { deps, state, runTasks: () => tasks.size, setLaunch };
}
