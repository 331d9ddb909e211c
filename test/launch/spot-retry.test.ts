import { ECSClient, RunTaskCommand } from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { launchRun } from "../../src/app/launch-run.ts";
import { retryRequest } from "../../src/app/retry.ts";
import type { Run } from "../../src/runs/model.ts";
import { exampleJob, placeAll, testDeps } from "./harness.ts";

const ecs = mockClient(ECSClient);
afterEach(() => ecs.reset());

/** spot-crunch's attempt 1, interrupted by Spot (stop code SpotInterruption). */
const interrupted = (stopCode = "SpotInterruption"): Run => ({
  runId: "20260310T020000Z-0000abcd",
  job: "spot-crunch",
  status: "FAILED",
  trigger: { kind: "schedule", id: "exec-1", scheduledTime: "2026-03-10T02:00:00Z" },
  attempt: 1,
  createdAt: "2026-03-10T02:00:01.000Z",
  stoppedAt: "2026-03-10T02:20:00.000Z",
  failures: [],
  tasks: [
    {
      taskArn: "arn:aws:ecs:us-east-1:111122223333:task/jobs/a",
      lastStatus: "STOPPED",
      stopCode,
      containers: [],
    },
  ],
});

describe("spotFallback after a SpotInterruption", () => {
  it("retries on on-demand FARGATE, and the run says why", async () => {
    placeAll(ecs);
    const job = exampleJob("spot-crunch");
    const request = retryRequest(job, interrupted());
    expect(request.onDemand).toBe(true);
    const run = await launchRun(testDeps(), request);
    const input = ecs.commandCalls(RunTaskCommand)[0]?.args[0].input;
    expect(input?.capacityProviderStrategy).toEqual([{ capacityProvider: "FARGATE", weight: 1 }]);
    expect(input?.launchType).toBeUndefined();
    expect(run.notes?.join("\n")).toContain("interrupted by Spot and policy.spotFallback is set");
  });

  it("keeps Spot for a retry after any other failure, or when the job has no spotFallback", async () => {
    const job = exampleJob("spot-crunch");
    expect(retryRequest(job, interrupted("EssentialContainerExited")).onDemand).toBeUndefined();
    const noFallback = { ...job, spec: { ...job.spec, policy: { ...job.spec.policy, spotFallback: false } } };
    expect(retryRequest(noFallback, interrupted()).onDemand).toBeUndefined();
    placeAll(ecs);
    await launchRun(testDeps(), retryRequest(job, interrupted("EssentialContainerExited")));
    const strategy = ecs.commandCalls(RunTaskCommand)[0]?.args[0].input.capacityProviderStrategy;
    expect(strategy?.map((s) => s.capacityProvider)).toEqual(["FARGATE_SPOT", "FARGATE"]);
  });
});
