import { describe, expect, it } from "vitest";
import { withAggregate } from "../../src/runs/aggregate.ts";
import { runCost } from "../../src/runs/cost.ts";
import { EcsTaskStateChangeSchema } from "../../src/runs/events.ts";
import { foldTaskEvents } from "../../src/runs/fold-events.ts";
import type { Run, TaskBilling, TaskState } from "../../src/runs/model.ts";
import { loadTaskFixture, runFixture, taskArnFor, taskLifecycle } from "../support/events.ts";

// Expected figures are worked by hand from the published Fargate prices (per hour):
// us-east-1 Linux/x86 $0.04048 vCPU, $0.004445 GB; Linux/ARM $0.03238, $0.00356; eu-central-1 x86
// $0.04656, $0.00511 — https://aws.amazon.com/fargate/pricing/

const T0 = "2026-03-10T10:00:00.000Z";

function stoppedTask(
  billing: TaskBilling,
  o: { seconds?: number; region?: string; seed?: string; pulled?: boolean } = {},
): TaskState {
  const { seconds = 10, region = "us-east-1", seed = "a", pulled = true } = o;
  return {
    taskArn: taskArnFor(seed, "jobs", region),
    lastStatus: "STOPPED",
    version: 5,
    started: true,
    stoppedAt: new Date(Date.parse(T0) + seconds * 1000).toISOString(),
    containers: [{ name: "app", exitCode: 0 }],
    billing: { ...billing, ...(pulled && { pullStartedAt: T0 }) },
  };
}

const FARGATE_1X2: TaskBilling = { cpu: "1024", memory: "2048", launchType: "FARGATE" };

const finished = (tasks: TaskState[], status: Run["status"] = "SUCCEEDED"): Run =>
  runFixture({ status, tasks });

describe("runCost", () => {
  it("bills from the image pull to the stop, rounded up to the second", () => {
    // 0.25 vCPU, 0.5 GB for 300.5 s → 301 s: 75.25 vCPU-s, 150.5 GB-s;
    // (75.25 × 0.04048 + 150.5 × 0.004445) / 3600 = 0.00103197… → 0.001032
    const cost = runCost(
      finished([stoppedTask({ cpu: "256", memory: "512", launchType: "FARGATE" }, { seconds: 300.5 })]),
    );
    expect(cost).toEqual({
      vcpuSeconds: 75.25,
      gbSeconds: 150.5,
      usd: 0.001032,
      pricing: { source: "estimate", region: "us-east-1", asOf: expect.stringMatching(/^\d{4}-\d{2}$/) },
    });
  });

  it("charges the one-minute minimum", () => {
    // 10 s → 60 s of 1 vCPU, 2 GB: (60 × 0.04048 + 120 × 0.004445) / 3600 = 0.00082283 → 0.000823
    const cost = runCost(finished([stoppedTask(FARGATE_1X2, { seconds: 10 })]));
    expect(cost).toMatchObject({ vcpuSeconds: 60, gbSeconds: 120, usd: 0.000823 });
  });

  it("prices Fargate Spot at 30% of on-demand and says so", () => {
    // 0.00082283 × 0.3 = 0.00024685 → 0.000247
    const cost = runCost(
      finished([stoppedTask({ ...FARGATE_1X2, capacityProviderName: "FARGATE_SPOT" }, { seconds: 10 })]),
    );
    expect(cost?.usd).toBe(0.000247);
    expect(cost?.pricing.note).toMatch(/Spot/);
  });

  it("prices arm64 tasks at the ARM rate", () => {
    // (60 × 0.03238 + 120 × 0.00356) / 3600 = 0.00065833 → 0.000658
    const cost = runCost(finished([stoppedTask({ ...FARGATE_1X2, cpuArchitecture: "arm64" })]));
    expect(cost?.usd).toBe(0.000658);
  });

  it("uses the region of the task ARN", () => {
    // (60 × 0.04656 + 120 × 0.00511) / 3600 = 0.00094600 → 0.000946
    const cost = runCost(finished([stoppedTask(FARGATE_1X2, { region: "eu-central-1" })]));
    expect(cost).toMatchObject({ usd: 0.000946, pricing: { region: "eu-central-1" } });
  });

  it("adds up the tasks of a fan-out", () => {
    const cost = runCost(
      finished([
        stoppedTask(FARGATE_1X2, { seed: "a", seconds: 10 }),
        stoppedTask(FARGATE_1X2, { seed: "b", seconds: 89.2 }),
      ]),
    );
    // 60 s (minimum) + 90 s of 1 vCPU / 2 GB; (150 × 0.04048 + 300 × 0.004445) / 3600 = 0.00205708 → 0.002057
    expect(cost).toMatchObject({ vcpuSeconds: 150, gbSeconds: 300, usd: 0.002057 });
  });

  it("omits usd, with the reason, for a region not in the table", () => {
    const cost = runCost(finished([stoppedTask(FARGATE_1X2, { region: "sa-east-1" })]));
    expect(cost).toMatchObject({ vcpuSeconds: 60, gbSeconds: 120, pricing: { region: "sa-east-1" } });
    expect(cost).not.toHaveProperty("usd");
    expect(cost?.pricing.note).toContain("sa-east-1");
  });

  it("omits usd for Windows tasks (the table holds Linux prices)", () => {
    const cost = runCost(
      finished([stoppedTask({ ...FARGATE_1X2, platformFamily: "WINDOWS_SERVER_2022_CORE" })]),
    );
    expect(cost?.vcpuSeconds).toBe(60);
    expect(cost).not.toHaveProperty("usd");
  });

  it("bills nothing for a task that never began pulling its image", () => {
    const cost = runCost(finished([stoppedTask(FARGATE_1X2, { pulled: false })], "FAILED"));
    expect(cost).toMatchObject({ vcpuSeconds: 0, gbSeconds: 0, usd: 0 });
  });

  it("gives no cost for EC2 tasks, unfinished runs, tasks still running or of unknown size", () => {
    const ec2 = stoppedTask({ cpu: "1024", memory: "2048", launchType: "EC2" });
    const customProvider = stoppedTask({ ...FARGATE_1X2, capacityProviderName: "my-asg-provider" });
    const running = { ...stoppedTask(FARGATE_1X2), lastStatus: "RUNNING" };
    const sizeless = stoppedTask({ launchType: "FARGATE" });
    expect(runCost(finished([ec2]))).toBeUndefined();
    expect(runCost(finished([customProvider]))).toBeUndefined();
    expect(runCost(finished([stoppedTask(FARGATE_1X2), ec2]))).toBeUndefined();
    expect(runCost(finished([running], "TIMED_OUT"))).toBeUndefined();
    expect(runCost(finished([sizeless]))).toBeUndefined();
    expect(runCost(finished([stoppedTask(FARGATE_1X2)], "RUNNING"))).toBeUndefined();
    expect(runCost(finished([]))).toBeUndefined();
  });
});

describe("cost from ECS task events", () => {
  it("a Fargate run folded from its events carries its cost", () => {
    // The fixture task: cpu "256", memory "512", us-west-2; pull at +18 s, stopped at +86 s → 68 s:
    // 17 vCPU-s, 34 GB-s; (17 × 0.04048 + 34 × 0.004445) / 3600 = 0.00023314 → 0.000233
    const events = taskLifecycle({ startedBy: "ecs-jobs:01JD0000000000000000000000" });
    const run = foldTaskEvents(
      runFixture({ expectedTasks: 1 }),
      events.map((e) => e.detail),
    );
    expect(run?.status).toBe("SUCCEEDED");
    expect(run?.cost).toMatchObject({
      vcpuSeconds: 17,
      gbSeconds: 34,
      usd: 0.000233,
      pricing: { source: "estimate", region: "us-west-2" },
    });
  });

  it("a run that is not final carries no cost, and loses none it never had", () => {
    const [first] = taskLifecycle();
    const run = foldTaskEvents(runFixture({ expectedTasks: 1 }), [first?.detail ?? ({} as never)]);
    expect(run?.status).toBe("PENDING");
    expect(run).not.toHaveProperty("cost");
    expect(withAggregate(runFixture())).not.toHaveProperty("cost");
  });

  it("a cost field ECS sends in an unexpected shape does not drop the event, and is not kept", () => {
    const event = loadTaskFixture() as unknown as { detail: Record<string, unknown> };
    event.detail.cpu = 256;
    event.detail.pullStartedAt = "yesterday";
    event.detail.attributes = "arm64";
    const parsed = EcsTaskStateChangeSchema.safeParse(event);
    expect(parsed.success).toBe(true);
    const run = foldTaskEvents(runFixture(), [parsed.data?.detail as never]);
    expect(run?.tasks[0]?.billing).toEqual({ memory: "512", launchType: "FARGATE" });
  });

  it("reads the CPU architecture from the task's attributes", () => {
    const event = loadTaskFixture() as unknown as { detail: Record<string, unknown> };
    event.detail.attributes = [{ name: "ecs.cpu-architecture", value: "arm64" }];
    const detail = EcsTaskStateChangeSchema.parse(event).detail;
    const run = foldTaskEvents(runFixture(), [detail]);
    expect(run?.tasks[0]?.billing).toMatchObject({ cpu: "256", memory: "512", cpuArchitecture: "arm64" });
  });
});
