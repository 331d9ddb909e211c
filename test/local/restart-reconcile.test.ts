/**
 * Restart reconciliation when task events were lost: the ledger still shows a run in flight whose task the
 * emulator has already stopped. The event synthesized from DescribeTasks brings the run to its final state.
 */
import { ECSClient, RegisterTaskDefinitionCommand, RunTaskCommand } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EcsEmulator, startEcsEmulator } from "../../local/ecs/index.ts";
import { reconcileActiveRuns } from "../../local/restart-reconcile.ts";
import { catalogOf } from "../../src/catalog/catalog.ts";
import { runTaskStartedBy } from "../../src/jobspec/requests.ts";
import { MemoryLedger } from "../../src/ledger/memory.ts";
import { parseEcsTaskStateChange } from "../../src/runs/events.ts";
import type { Run } from "../../src/runs/model.ts";
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

  it("feeds the task's current state to the status path, which finishes the run", async () => {
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

    const delivered: unknown[] = [];
    const result = await reconcileActiveRuns({
      ledger,
      catalog: catalogOf([nightly]),
      ecs,
      identity,
      now: () => new Date(),
      deliver: async (event) => {
        delivered.push(event);
        // What the status handler does with it: validate, then apply to the run.
        const parsed = parseEcsTaskStateChange(event);
        await ledger.applyTaskEvent(runId, parsed.detail);
      },
    });

    expect(result).toEqual({ runs: 1, events: 1, unknownTasks: [], lostRuns: [] });
    expect(delivered[0]).toMatchObject({
      "detail-type": "ECS Task State Change",
      source: "aws.ecs",
      resources: [taskArn],
      detail: { taskArn, lastStatus: "STOPPED", startedBy: `ecs-jobs/nightly/${runId}` },
    });
    expect((delivered[0] as { detail: Record<string, unknown> }).detail.tags).toBeUndefined();
    const after = await ledger.get(runId);
    expect(after?.status).toBe("FAILED");
    expect(after?.tasks[0]?.containers[0]).toMatchObject({ name: "app", exitCode: 2 });
    expect(await ledger.listActive()).toEqual([]);
  });
});
