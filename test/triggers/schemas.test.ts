import { describe, expect, it } from "vitest";
import { ApiGatewayV1EventSchema } from "../../src/triggers/apigw-v1.ts";
import { ApiGatewayV2EventSchema } from "../../src/triggers/apigw-v2.ts";
import { ContainerInstanceStateChangeSchema } from "../../src/triggers/container-instance.ts";
import { scheduleTriggerOf } from "../../src/triggers/schedule-trigger.ts";
import { jobNamesForRule, ruleName, ScheduledEventSchema } from "../../src/triggers/scheduled-event.ts";
import { SchedulerInputSchema, schedulerInputTemplate } from "../../src/triggers/scheduler.ts";
import { loadFixture } from "../support/events.ts";

describe("event schemas accept the real sample events", () => {
  it.each([
    ["apigw-http-v2", ApiGatewayV2EventSchema],
    ["apigw-rest-proxy-v1", ApiGatewayV1EventSchema],
    ["ecs-container-instance-state-change", ContainerInstanceStateChangeSchema],
    ["scheduled-event", ScheduledEventSchema],
  ] as const)("%s", (name, schema) => {
    expect(schema.safeParse(loadFixture(name)).success).toBe(true);
  });

  it("and tell the API Gateway formats apart", () => {
    expect(ApiGatewayV2EventSchema.safeParse(loadFixture("apigw-rest-proxy-v1")).success).toBe(false);
    expect(ApiGatewayV1EventSchema.safeParse(loadFixture("apigw-http-v2")).success).toBe(false);
    expect(ContainerInstanceStateChangeSchema.safeParse(loadFixture("scheduled-event")).success).toBe(false);
  });
});

describe("scheduler input", () => {
  it("is the template with Scheduler's placeholders filled in", () => {
    const template = JSON.parse(schedulerInputTemplate("nightly-report")) as Record<string, string>;
    expect(template).toEqual({
      job: "nightly-report",
      executionId: "<aws.scheduler.execution-id>",
      scheduledTime: "<aws.scheduler.scheduled-time>",
    });
    const filled = { ...template, executionId: "c2a7b1f0-1111", scheduledTime: "2026-03-10T02:00:00Z" };
    expect(SchedulerInputSchema.safeParse(filled).success).toBe(true);
    // An unfilled template (a schedule invoked outside Scheduler) is not a valid input.
    expect(SchedulerInputSchema.safeParse(template).success).toBe(false);
  });

  it("gives the trigger: execution id and scheduled time", () => {
    expect(
      scheduleTriggerOf({ job: "a", executionId: "e-1", scheduledTime: "2026-03-10T02:00:00Z" }),
    ).toEqual({
      jobNames: ["a"],
      trigger: { kind: "schedule", id: "e-1", scheduledTime: "2026-03-10T02:00:00Z" },
    });
  });
});

describe("Scheduled Event", () => {
  it("names the job by its rule, ecs-jobs- prefix first", () => {
    expect(ruleName("arn:aws:events:us-east-1:123456789012:rule/my-scheduled-rule")).toBe(
      "my-scheduled-rule",
    );
    expect(ruleName("arn:aws:events:us-east-1:123456789012:rule/custom-bus/ecs-jobs-report")).toBe(
      "ecs-jobs-report",
    );
    expect(jobNamesForRule("arn:aws:events:us-east-1:123456789012:rule/ecs-jobs-report")).toEqual([
      "report",
      "ecs-jobs-report",
    ]);
    expect(jobNamesForRule("arn:aws:sns:us-east-1:123456789012:topic")).toEqual([]);
  });

  it("gives the trigger: event id and time", () => {
    const event = loadFixture("scheduled-event");
    expect(scheduleTriggerOf(event)).toEqual({
      jobNames: ["my-scheduled-rule"],
      trigger: {
        kind: "schedule",
        id: "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
        scheduledTime: "2015-10-08T16:53:06Z",
      },
    });
    expect(scheduleTriggerOf({ hello: "world" })).toBeUndefined();
  });
});
