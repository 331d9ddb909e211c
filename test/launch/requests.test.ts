import type { RunTaskCommandInput, StartTaskCommandInput } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import {
  parseStartedBy,
  runTaskRequests,
  runTaskStartedBy,
  startTaskRequest,
  startTaskStartedBy,
  taskOverrides,
} from "../../src/jobspec/requests.ts";
import { RUN_ID_PATTERN, runIdFor } from "../../src/runs/run-id.ts";
import { FARGATE_JOB, job } from "../support/spec.ts";

const RUN = "20261122T030000Z-0123abcd";
const inputs = (text: string, extra = {}) =>
  runTaskRequests(job(text), RUN, extra).map((r) => r.input as RunTaskCommandInput);

describe("runTaskRequests", () => {
  it("translates a Fargate job into one RunTask with network, tags, startedBy and clientToken", () => {
    const [input, ...rest] = inputs(FARGATE_JOB.replace("task:", "task:\n  tags: { team: data }"));
    expect(rest).toEqual([]);
    expect(input).toEqual({
      cluster: "reports",
      taskDefinition: "report:7",
      launchType: "FARGATE",
      count: 1,
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: ["subnet-0abc"],
          securityGroups: ["sg-0abc"],
          assignPublicIp: "DISABLED",
        },
      },
      tags: [
        { key: "team", value: "data" },
        { key: "ecs-jobs:job", value: "report" },
        { key: "ecs-jobs:run", value: RUN },
      ],
      enableECSManagedTags: true,
      startedBy: `ecs-jobs/report/${RUN}`,
      clientToken: `${RUN}-0`,
    });
  });

  it("maps assignPublicIp true to ENABLED", () => {
    const [input] = inputs(FARGATE_JOB.replace("    securityGroups: [sg-0abc]", "    assignPublicIp: true"));
    expect(input?.networkConfiguration?.awsvpcConfiguration).toEqual({
      subnets: ["subnet-0abc"],
      assignPublicIp: "ENABLED",
    });
  });

  it("splits a count above 10 into calls of at most 10, each with its own clientToken", () => {
    const calls = inputs(FARGATE_JOB.replace("task:", "task:\n  count: 25"));
    expect(calls.map((c) => c.count)).toEqual([10, 10, 5]);
    expect(calls.map((c) => c.clientToken)).toEqual([`${RUN}-0`, `${RUN}-1`, `${RUN}-2`]);
    expect(new Set(calls.map((c) => c.startedBy))).toEqual(new Set([`ecs-jobs/report/${RUN}`]));
  });

  it("uses the run's count override", () => {
    expect(inputs(FARGATE_JOB, { count: 11 }).map((c) => c.count)).toEqual([10, 1]);
  });

  it("turns the environment map into a sorted name/value list and keeps command, cpu and memory", () => {
    const [input] = inputs(
      `task:\n  taskDefinition: t\n  overrides:\n    cpu: 1024\n    memory: "2048"\n    ephemeralStorageGiB: 30\n    taskRoleArn: arn:aws:iam::111122223333:role/r\n    containers:\n      - name: app\n        command: [node, x.js]\n        environment: { B: "2", A: "1" }\n        memoryReservation: 512\n`,
    );
    expect(input?.overrides).toEqual({
      containerOverrides: [
        {
          name: "app",
          command: ["node", "x.js"],
          environment: [
            { name: "A", value: "1" },
            { name: "B", value: "2" },
          ],
          memoryReservation: 512,
        },
      ],
      cpu: "1024",
      memory: "2048",
      taskRoleArn: "arn:aws:iam::111122223333:role/r",
      ephemeralStorage: { sizeInGiB: 30 },
    });
  });

  it("merges run overrides into the job's: command replaced, environment merged, new containers added", () => {
    const j = job(
      `task:\n  taskDefinition: t\n  overrides:\n    containers:\n      - name: app\n        command: [a]\n        environment: { KEEP: k, SET: old }\n`,
    );
    const o = taskOverrides(j.spec.task, {
      cpu: "512",
      containers: {
        app: { command: ["b"], environment: { SET: "new" } },
        sidecar: { environment: { X: "1" } },
      },
    });
    expect(o).toEqual({
      cpu: "512",
      containerOverrides: [
        {
          name: "app",
          command: ["b"],
          environment: [
            { name: "KEEP", value: "k" },
            { name: "SET", value: "new" },
          ],
        },
        { name: "sidecar", environment: [{ name: "X", value: "1" }] },
      ],
    });
  });

  it.each([
    [
      "azBalancedSpread",
      [
        { type: "spread", field: "attribute:ecs.availability-zone" },
        { type: "spread", field: "instanceId" },
      ],
      undefined,
    ],
    [
      "azBalancedBinpack",
      [
        { type: "spread", field: "attribute:ecs.availability-zone" },
        { type: "binpack", field: "memory" },
      ],
      undefined,
    ],
    ["binpack", [{ type: "binpack", field: "memory" }], undefined],
    ["oneTaskPerHost", undefined, [{ type: "distinctInstance" }]],
  ])("maps the %s placement template as the ECS console does", (template, strategy, constraints) => {
    const [input] = inputs(
      `task:\n  taskDefinition: t\n  launchType: EC2\n  placement:\n    template: ${template}\n`,
    );
    expect(input?.placementStrategy).toEqual(strategy);
    expect(input?.placementConstraints).toEqual(constraints);
  });

  it("appends explicit constraints to a template", () => {
    const [input] = inputs(
      `task:\n  taskDefinition: t\n  launchType: EC2\n  placement:\n    template: binpack\n    constraints:\n      - { type: memberOf, expression: "attribute:ecs.instance-type =~ t3.*" }\n`,
    );
    expect(input?.placementConstraints).toEqual([
      { type: "memberOf", expression: "attribute:ecs.instance-type =~ t3.*" },
    ]);
  });

  it("sends a capacity provider strategy instead of a launch type", () => {
    const [input] = inputs(
      `task:\n  taskDefinition: t\n  capacityProviderStrategy:\n    - { capacityProvider: FARGATE_SPOT, weight: 1 }\n  network:\n    subnets: [s]\n`,
    );
    expect(input?.launchType).toBeUndefined();
    expect(input?.capacityProviderStrategy).toEqual([{ capacityProvider: "FARGATE_SPOT", weight: 1 }]);
  });
});

describe("startTaskRequest", () => {
  it("starts the job on the given container instance with a startedBy of at most 36 characters", () => {
    const j = job(
      `onInstanceLaunch: true\ntask:\n  cluster: c\n  taskDefinition: warm:1\n  launchType: EC2\n`,
      "a-rather-long-job-name-that-uses-most-of-the-63-characters-ok",
    );
    const r = startTaskRequest(j, RUN, "arn:aws:ecs:eu-west-1:111122223333:container-instance/c/abc");
    const input = r.input as StartTaskCommandInput;
    expect(r.operation).toBe("StartTask");
    expect(input.containerInstances).toEqual(["arn:aws:ecs:eu-west-1:111122223333:container-instance/c/abc"]);
    expect(input.startedBy).toBe(`ecs-jobs/${RUN}`);
    expect(input.startedBy?.length).toBeLessThanOrEqual(36);
    expect(input).not.toHaveProperty("launchType");
    expect(input).not.toHaveProperty("count");
  });
});

describe("startedBy and run ids", () => {
  it("reads back what it writes, and ignores foreign values", () => {
    expect(parseStartedBy(runTaskStartedBy("report", RUN))).toEqual({ job: "report", runId: RUN });
    expect(parseStartedBy(startTaskStartedBy(RUN))).toEqual({ runId: RUN });
    expect(parseStartedBy("ecs-svc/1234")).toBeUndefined();
    expect(parseStartedBy(undefined)).toBeUndefined();
    expect(parseStartedBy("ecs-jobs/")).toBeUndefined();
  });

  it("derives the run id from the trigger: the same trigger gives the same id, another trigger another", () => {
    const at = new Date("2026-11-22T03:00:00.123Z");
    const a = runIdFor("report", { kind: "schedule", id: "exec-1" }, at);
    expect(a).toMatch(RUN_ID_PATTERN);
    expect(a.startsWith("20261122T030000Z-")).toBe(true);
    expect(runIdFor("report", { kind: "schedule", id: "exec-1" }, at)).toBe(a);
    expect(runIdFor("report", { kind: "schedule", id: "exec-2" }, at)).not.toBe(a);
    expect(runIdFor("other", { kind: "schedule", id: "exec-1" }, at)).not.toBe(a);
    expect(runIdFor("report", { kind: "schedule", id: "exec-1" }, at, 2)).not.toBe(a);
  });
});
