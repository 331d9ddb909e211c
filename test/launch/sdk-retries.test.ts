/**
 * One retry layer, the SDK's (issue 13 items 2 and 3), checked with the real SDK client against the ECS
 * emulator's injected faults, so that the requests counted are the ones that went over the wire: a
 * launch whose RunTask keeps failing sends exactly the SDK's attempts (it sent 15: a loop of 5 around the
 * SDK's 3), every attempt carries the same clientToken (so a retry cannot launch twice), and what outlasts
 * the attempts ends the run FAILED with a hint naming the error and the request, instead of leaving it
 * PENDING with no task. The SDK's backoff is set to zero here (client config, not a loop of our own).
 */
import { ECSClient } from "@aws-sdk/client-ecs";
import { ConfiguredRetryStrategy } from "@smithy/core/retry";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type EcsEmulator, startEcsEmulator } from "../../local/ecs/index.ts";
import { launchRun } from "../../src/app/launch-run.ts";
import { createClients, RETRY } from "../../src/aws/clients.ts";
import type { Trigger } from "../../src/runs/model.ts";
import { FARGATE_DEF, FAST_PHASES } from "../local/ecs/support.ts";
import { job } from "../support/spec.ts";
import { testDeps } from "./harness.ts";

const spec = (taskDefinition: string) => `task:
  cluster: reports
  taskDefinition: ${taskDefinition}
  launchType: FARGATE
  count: 12
  network: { subnets: [subnet-0abc], securityGroups: [sg-0abc] }
policy: { concurrency: forbid }
`;
const JOB = job(spec("report"));

let emu: EcsEmulator;
beforeAll(async () => {
  emu = await startEcsEmulator({ phaseMs: FAST_PHASES, region: "us-east-1", accountId: "111122223333" });
  emu.createCluster("reports");
  emu.registerTaskDefinition(FARGATE_DEF);
});
afterAll(async () => {
  await emu.close();
});
beforeEach(() => {
  emu.faults.clear();
});

let serial = 0;
const trigger = (): Trigger => ({ kind: "cli", id: `t-${++serial}` });

function deps() {
  const d = testDeps([JOB]);
  d.clients = createClients(
    { ecs: ECSClient },
    {
      region: "us-east-1",
      endpoints: { ecs: emu.url },
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      retryStrategy: new ConfiguredRetryStrategy(RETRY.maxAttempts, 0),
    },
  );
  return d;
}

const runTaskCalls = (runId: string) =>
  emu.calls().filter((c) => c.operation === "RunTask" && JSON.stringify(c.input).includes(runId));

describe("a launch whose RunTask keeps failing", () => {
  it("sends 3 RunTask requests for a 5xx, all with the batch's clientToken, and ends the run FAILED", async () => {
    emu.faults.set({ errorNext: 1_000, onlyOperations: ["RunTask"] });
    const d = deps();
    const run = await launchRun(d, { job: JOB, trigger: trigger() });
    const calls = runTaskCalls(run.runId);
    expect(calls).toHaveLength(3);
    expect(new Set(calls.map((c) => (c.input as { clientToken?: string }).clientToken))).toEqual(
      new Set([`${run.runId}-0`]),
    );
    expect(run.status).toBe("FAILED");
    expect(run.tasks).toEqual([]);
    expect(run.failures[0]?.reason).toBe("ServerException");
    expect(run.hint).toContain("ServerException");
    expect(run.hint).toContain("RunTask on cluster reports (batch 1 of 2)");
  });

  it("sends 3 RunTask requests when throttled, then ends the run FAILED naming ThrottlingException", async () => {
    emu.faults.set({ throttleNext: 1_000, onlyOperations: ["RunTask"] });
    const run = await launchRun(deps(), { job: JOB, trigger: trigger() });
    expect(runTaskCalls(run.runId)).toHaveLength(3);
    expect(run.status).toBe("FAILED");
    expect(run.hint).toMatch(/ThrottlingException.*Rate exceeded/);
  });

  it("ends the run FAILED when the answer is an HTML page the SDK cannot read (SyntaxError)", async () => {
    emu.faults.set({ garbleNext: 1_000, onlyOperations: ["RunTask"] });
    const run = await launchRun(deps(), { job: JOB, trigger: trigger() });
    expect(run.status).toBe("FAILED");
    expect(run.failures[0]?.reason).toBe("SyntaxError");
    expect(run.hint).toContain("RunTask on cluster reports");
  });

  it("frees the forbid slot: the next run launches instead of being SKIPPED", async () => {
    emu.faults.set({ errorNext: 1_000, onlyOperations: ["RunTask"] });
    const d = deps();
    const failed = await launchRun(d, { job: JOB, trigger: trigger() });
    expect(failed.status).toBe("FAILED");
    emu.faults.clear();
    const next = await launchRun(d, { job: JOB, trigger: trigger() });
    expect(next.status).not.toBe("SKIPPED");
    expect(next.tasks).toHaveLength(12);
  });

  it("a 5xx the SDK's retry gets past launches once: the same clientToken, the tasks placed once", async () => {
    emu.faults.set({ errorNext: 2, onlyOperations: ["RunTask"] });
    // Another job name: the tasks the test above launched are still running, and this job forbids overlap.
    const run = await launchRun(deps(), { job: job(spec("report"), "once"), trigger: trigger() });
    expect(runTaskCalls(run.runId)).toHaveLength(4); // batch 1: 2 failed + 1 served; batch 2: 1
    expect(run.status).not.toBe("FAILED");
    expect(run.tasks).toHaveLength(12);
    const started = emu.tasks().filter((t) => t.startedBy?.endsWith(run.runId));
    expect(started).toHaveLength(12);
  });

  it("a 4xx is not retried by the SDK: 1 request, FAILED with the request-level hint", async () => {
    const run = await launchRun(deps(), { job: job(spec("nope"), "bad"), trigger: trigger() });
    expect(runTaskCalls(run.runId)).toHaveLength(1);
    expect(run.status).toBe("FAILED");
  });
});

describe("client configuration", () => {
  it("every client makes 3 attempts in standard mode unless told otherwise", async () => {
    const clients = createClients({ ecs: ECSClient }, { region: "us-east-1" });
    expect(await clients.ecs.config.maxAttempts()).toBe(3);
    expect(clients.ecs.config.retryMode).toBe("standard");
  });
});
