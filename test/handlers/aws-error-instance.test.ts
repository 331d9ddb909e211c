/**
 * The instance-launch handler with each AWS call of an ordinary start failed in turn past the SDK's retries.
 * A failed invocation is delivered again (Lambda's asynchronous retry) and must start the job once. When
 * every delivery fails (ECS down through the retries, three invocations), the run must not stay PENDING
 * with no task for good: the sweeper resumes the start once Lambda's retries are over.
 */
import { StartTaskCommand } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { createInstanceLaunchHandler } from "../../handlers/instance-launch.ts";
import { INSTANCE_START_GRACE_MS } from "../../src/app/start-on-instance.ts";
import { sweep } from "../../src/app/sweep.ts";
import { isFinal } from "../../src/runs/model.ts";
import { lambdaContext } from "../launch/harness.ts";
import { mocks, useRunMocks } from "../runs/harness.ts";
import { loadFixture } from "../support/events.ts";
import { job } from "../support/spec.ts";
import { type Container, FAULTS, faultyContainer, type Launch, useDynalite } from "./support-aws-faults.ts";

useRunMocks();
const db = useDynalite();

const warmup = job(
  "onInstanceLaunch: true\ntask:\n  cluster: reports\n  taskDefinition: warmup:3\n  launchType: EC2\n",
  "warmup",
);
const event = () => {
  const e = loadFixture<{ detail: Record<string, unknown> }>("ecs-container-instance-state-change");
  e.detail.clusterArn = "arn:aws:ecs:us-east-1:111122223333:cluster/reports";
  return e;
};
const CREATED = new Date("2026-03-10T11:00:00Z");

const container = (launch: Launch = "placed") => faultyContainer(db(), [warmup], CREATED, launch);
const deliver = (c: Container) =>
  createInstanceLaunchHandler(async () => c.deps)(event(), lambdaContext).then(
    () => "answered" as const,
    () => "failed" as const,
  );
const runsOf = async (c: Container) => (await c.deps.ledger.listByJob("warmup")).runs;
const starts = () => mocks.ecs.commandCalls(StartTaskCommand).length;

describe("a start on an instance with one AWS call failing", () => {
  for (const [service, name, error] of FAULTS)
    it(`${service} ${name} at each call: the redelivery starts the job once`, async () => {
      const clean = await container();
      expect(await deliver(clean)).toBe("answered");
      const calls = service === "dynamodb" ? clean.state.dynamo : clean.state.ecs;
      expect(calls).toBeGreaterThan(0);
      for (let call = 1; call <= calls; call++) {
        const c = await container();
        const before = starts();
        c.state.fault = { service, call, error };
        if ((await deliver(c)) === "failed") {
          c.state.fault = undefined;
          expect(await deliver(c), `${service} call ${call}: the redelivery`).toBe("answered");
        }
        const runs = await runsOf(c);
        expect(
          runs.map((r) => [r.status, r.tasks.length]),
          `${service} ${name} at call ${call}`,
        ).toEqual([["RUNNING", 1]]);
        expect(starts() - before, `${service} ${name} at call ${call}: StartTask calls`).toBeLessThanOrEqual(
          service === "ecs" ? 2 : 1,
        );
      }
    });

  it("every delivery failed (ECS down through Lambda's retries): the sweeper resumes the start once they are over", async () => {
    const c = await container("ECS down");
    for (let i = 0; i < 3; i++) expect(await deliver(c)).toBe("failed");
    const [stuck] = await runsOf(c);
    expect(stuck).toMatchObject({ status: "PENDING", tasks: [], failures: [] });

    c.setLaunch("placed");
    // While Lambda may still deliver the event again, the start is its: the sweeper leaves the run alone.
    c.deps.clock.now = new Date(CREATED.getTime() + INSTANCE_START_GRACE_MS - 60_000);
    const early = starts();
    await sweep(c.deps);
    expect(starts()).toBe(early);

    c.deps.clock.now = new Date(CREATED.getTime() + INSTANCE_START_GRACE_MS + 60_000);
    const report = await sweep(c.deps);
    expect(report.errors).toEqual([]);
    expect(report.continued).toEqual([stuck?.runId]);
    const [resumed] = await runsOf(c);
    expect(resumed).toMatchObject({ runId: stuck?.runId, status: "RUNNING" });
    expect(resumed?.tasks).toHaveLength(1);
    // Once started, later sweeps and late events start nothing again.
    const after = starts();
    await sweep(c.deps);
    expect(await deliver(c)).toBe("answered");
    expect(starts()).toBe(after);
  });

  it("a resumed start that ECS refuses ends the run FAILED, not PENDING", async () => {
    const c = await container("ECS down");
    for (let i = 0; i < 3; i++) await deliver(c);
    c.setLaunch("refused");
    c.deps.clock.now = new Date(CREATED.getTime() + INSTANCE_START_GRACE_MS + 60_000);
    await sweep(c.deps);
    const [ended] = await runsOf(c);
    expect(ended && isFinal(ended.status)).toBe(true);
    expect(ended?.status).toBe("FAILED");
  });
});
