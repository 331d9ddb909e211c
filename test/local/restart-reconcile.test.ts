/**
 * Restart reconciliation when task events were lost: the ledger still shows a run in flight whose task the
 * emulator has already stopped, a task the run never recorded (the stack was killed between RunTask's
 * answer and the write). The product's reconciliation (src/app/reconcile.ts, as the local stack calls it
 * at start) finds the task by its startedBy and applies its described state, which ends the run.
 */
import { ECSClient, RegisterTaskDefinitionCommand, RunTaskCommand } from "@aws-sdk/client-ecs";
import type { PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryLedger } from "../../gen/memory-ledger.ts";
import { type EcsEmulator, startEcsEmulator } from "../../local/ecs/index.ts";
import { reconcileAllActive } from "../../src/app/reconcile.ts";
import type { AwsClients } from "../../src/aws/clients.ts";
import { catalogOf } from "../../src/catalog/catalog.ts";
import { DEFAULT_CONFIG } from "../../src/config.ts";
import { runTaskStartedBy } from "../../src/jobspec/requests.ts";
import type { Run } from "../../src/runs/model.ts";
import { recordingLog } from "../launch/harness.ts";
import { job } from "../support/spec.ts";
import { FAST_PHASES } from "./support/stack.ts";

const nightly = job(
  `task: { cluster: batch, taskDefinition: nightly, launchType: FARGATE, network: { subnets: [subnet-0abc] } }
local: { outcome: "exit:2", durationSeconds: 0.05 }
`,
  "nightly",
);

describe("reconciling runs in flight", () => {
  let emulator: EcsEmulator;
  let ecs: ECSClient;
  const identity = { region: "eu-west-1", accountId: "000000000000" };

  beforeAll(async () => {
    // Nobody listens to the emulator's events here: they are the events a crashed stack never applied.
    emulator = await startEcsEmulator({
      ...identity,
      phaseMs: FAST_PHASES,
      behaviour: () => nightly.spec.local as never,
    });
    emulator.createCluster("batch");
    ecs = new ECSClient({
      endpoint: emulator.url,
      region: identity.region,
      credentials: { accessKeyId: "a", secretAccessKey: "b" },
    });
  });
  afterAll(async () => {
    ecs.destroy();
    await emulator.close();
  });

  it("finds the unrecorded task by its startedBy and applies its stopped state, which finishes the run", async () => {
    const runId = "20260101T000000Z-0123abcd";
    const ledger = new MemoryLedger();
    const run: Run = {
      runId,
      job: "nightly",
      status: "PENDING",
      trigger: { kind: "http", id: "r" },
      attempt: 1,
      createdAt: "2026-01-01T00:00:00.000Z",
      expectedTasks: 1,
      failures: [],
      tasks: [],
    };
    await ledger.create(run);
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "nightly",
        networkMode: "awsvpc",
        requiresCompatibilities: ["FARGATE"],
        cpu: "256",
        memory: "512",
        containerDefinitions: [{ name: "app", image: "app:1", essential: true }],
      }),
    );
    const { tasks } = await ecs.send(
      new RunTaskCommand({
        cluster: "batch",
        taskDefinition: "nightly",
        launchType: "FARGATE",
        startedBy: runTaskStartedBy("nightly", runId),
        networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-0abc"] } },
      }),
    );
    const taskArn = tasks?.[0]?.taskArn as string;
    await emulator.waitForTask(taskArn, "STOPPED");

    // The run's end is acted on as the status handler would: its FAILED event goes to EventBridge.
    const sent: unknown[] = [];
    const eventbridge = {
      send: async (command: PutEventsCommand) => {
        sent.push(...(command.input.Entries ?? []));
        return { FailedEntryCount: 0, Entries: [{ EventId: "e" }] };
      },
    };
    const report = await reconcileAllActive({
      clients: { ecs, eventbridge } as unknown as AwsClients,
      ledger,
      catalog: catalogOf([nightly]),
      config: DEFAULT_CONFIG,
      now: () => new Date(),
      log: recordingLog(),
      sleep: async () => {},
    });

    expect(report).toEqual({ runs: 1, applied: 1, missing: [] });
    const after = await ledger.get(runId);
    expect(after?.status).toBe("FAILED");
    expect(after?.tasks[0]?.containers[0]).toMatchObject({ name: "app", exitCode: 2 });
    expect(await ledger.listActive()).toEqual([]);
    expect(sent).toMatchObject([{ DetailType: "ECS Job Run FAILED" }]);
  });
});
