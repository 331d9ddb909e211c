/** The emulator through the real AWS SDK v3 ECS client. */
import {
  ClientException,
  ClusterNotFoundException,
  ConflictException,
  CreateClusterCommand,
  DeregisterTaskDefinitionCommand,
  DescribeClustersCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSServiceException,
  InvalidParameterException,
  ListClustersCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  type ListTasksCommandInput,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  type RunTaskCommandInput,
  StopTaskCommand,
  waitUntilTasksStopped,
} from "@aws-sdk/client-ecs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  AWSVPC,
  BRIDGE_DEF,
  expectAnswersMatchModel,
  FARGATE_DEF,
  type Harness,
  harness,
} from "./support.ts";

let h: Harness;
afterEach(async () => {
  expectAnswersMatchModel(h.emu);
  await h.close();
});

describe("task definitions", () => {
  beforeEach(async () => {
    h = await harness();
  });

  it("registers revisions, describes by family (latest ACTIVE) or revision, lists and deregisters", async () => {
    const r1 = await h.ecs.send(new RegisterTaskDefinitionCommand(FARGATE_DEF));
    const r2 = await h.ecs.send(
      new RegisterTaskDefinitionCommand({ ...FARGATE_DEF, cpu: "1 vCPU", memory: "2 GB" }),
    );
    expect(r1.taskDefinition?.taskDefinitionArn).toBe(
      "arn:aws:ecs:eu-west-1:000000000000:task-definition/report:1",
    );
    expect(r2.taskDefinition).toMatchObject({ revision: 2, cpu: "1024", memory: "2048", status: "ACTIVE" });
    expect(r2.taskDefinition?.registeredAt).toBeInstanceOf(Date);
    expect(r2.taskDefinition?.compatibilities).toContain("FARGATE");

    const latest = await h.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "report" }));
    expect(latest.taskDefinition?.revision).toBe(2);
    await h.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: "report:2" }));
    const after = await h.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "report" }));
    expect(after.taskDefinition?.revision).toBe(1);
    const inactive = await h.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "report:2" }));
    expect(inactive.taskDefinition?.status).toBe("INACTIVE");

    const list = await h.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: "rep" }));
    expect(list.taskDefinitionArns).toEqual([r1.taskDefinition?.taskDefinitionArn]);
    const listInactive = await h.ecs.send(new ListTaskDefinitionsCommand({ status: "INACTIVE" }));
    expect(listInactive.taskDefinitionArns).toEqual([r2.taskDefinition?.taskDefinitionArn]);
  });

  it("answers ClientException for an unknown task definition and for definitions ECS refuses", async () => {
    const unknown = h.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "nope" }));
    await expect(unknown).rejects.toBeInstanceOf(ClientException);
    await expect(unknown).rejects.toThrow("Unable to describe task definition.");
    const noMemory = h.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "x",
        containerDefinitions: [{ name: "a", image: "alpine" }],
      }),
    );
    await expect(noMemory).rejects.toThrow(
      "At least one of 'memory' or 'memoryReservation' must be specified.",
    );
    const fargateBridge = h.ecs.send(
      new RegisterTaskDefinitionCommand({ ...FARGATE_DEF, networkMode: "bridge" }),
    );
    await expect(fargateBridge).rejects.toBeInstanceOf(ClientException);
  });

  // The Fargate table (ECS Developer Guide, "task CPU and memory"): memory per cpu, in MiB.
  it.each([
    ["256", "4096", "No Fargate configuration exists for given values."],
    ["1024", "1024", "No Fargate configuration exists for given values."],
    ["2048", "4500", "No Fargate configuration exists for given values."],
    ["300", "512", "Invalid 'cpu' setting for task."],
  ])("refuses Fargate cpu %s with memory %s, as ECS does", async (cpu, memory, message) => {
    const refused = h.ecs.send(new RegisterTaskDefinitionCommand({ ...FARGATE_DEF, cpu, memory }));
    await expect(refused).rejects.toBeInstanceOf(ClientException);
    await expect(refused).rejects.toThrow(message);
  });

  it("accepts the Fargate pairs of the table, in units and in vCPU/GB", async () => {
    for (const [cpu, memory] of [
      ["256", "512"],
      ["512", "4096"],
      ["2048", "16384"],
      ["4096", "30720"],
      ["8192", "61440"],
      ["16384", "32768"],
      ["1 vCPU", "3 GB"],
    ] as const)
      await expect(
        h.ecs.send(new RegisterTaskDefinitionCommand({ ...FARGATE_DEF, cpu, memory })),
      ).resolves.toBeDefined();
  });

  it("refuses a Fargate definition logging to awslogs without an execution role", async () => {
    const awslogs = {
      logDriver: "awslogs" as const,
      options: {
        "awslogs-group": "/ecs/report",
        "awslogs-region": "eu-west-1",
        "awslogs-stream-prefix": "r",
      },
    };
    const containerDefinitions = [{ name: "app", image: "alpine:3.20", logConfiguration: awslogs }];
    const refused = h.ecs.send(new RegisterTaskDefinitionCommand({ ...FARGATE_DEF, containerDefinitions }));
    await expect(refused).rejects.toBeInstanceOf(ClientException);
    await expect(refused).rejects.toThrow(
      "Fargate requires task definition to have execution role ARN to support log driver awslogs.",
    );
    const withRole = {
      ...FARGATE_DEF,
      containerDefinitions,
      executionRoleArn: "arn:aws:iam::000000000000:role/exec",
    };
    await expect(h.ecs.send(new RegisterTaskDefinitionCommand(withRole))).resolves.toBeDefined();
  });
});

describe("RunTask, DescribeTasks, ListTasks, StopTask", () => {
  beforeEach(async () => {
    h = await harness({ behaviour: () => ({ outcome: "succeed", durationSeconds: 60 }) });
    await h.ecs.send(new RegisterTaskDefinitionCommand(FARGATE_DEF));
    await h.ecs.send(new RegisterTaskDefinitionCommand(BRIDGE_DEF));
    h.emu.addContainerInstance("default");
  });

  it("runs tasks that the other operations then find, filter and stop", async () => {
    const run = await h.ecs.send(
      new RunTaskCommand({
        taskDefinition: "report",
        launchType: "FARGATE",
        networkConfiguration: AWSVPC,
        count: 2,
        startedBy: "ecs-jobs/report/run-1",
        tags: [{ key: "team", value: "data" }],
        overrides: { containerOverrides: [{ name: "app", environment: [{ name: "DAY", value: "monday" }] }] },
      }),
    );
    expect(run.failures).toEqual([]);
    expect(run.tasks).toHaveLength(2);
    const [first, second] = run.tasks ?? [];
    expect(first).toMatchObject({
      lastStatus: "PROVISIONING",
      desiredStatus: "RUNNING",
      launchType: "FARGATE",
      startedBy: "ecs-jobs/report/run-1",
      group: "family:report",
      tags: [{ key: "team", value: "data" }],
    });
    expect(first?.taskArn).toMatch(/^arn:aws:ecs:eu-west-1:000000000000:task\/default\/[0-9a-f]{32}$/);
    expect(first?.overrides?.containerOverrides).toEqual([
      { name: "app", environment: [{ name: "DAY", value: "monday" }] },
      { name: "sidecar" },
    ]);
    const other = await h.ecs.send(new RunTaskCommand({ taskDefinition: "agent", launchType: "EC2" }));
    expect(other.tasks?.[0]?.lastStatus).toBe("PENDING");

    const arns = [first?.taskArn as string, second?.taskArn as string];
    const described = await h.ecs.send(
      new DescribeTasksCommand({ tasks: [...arns, "0123456789abcdef0123456789abcdef"] }),
    );
    expect(described.tasks?.map((t) => t.taskArn)).toEqual(arns);
    expect(described.tasks?.[0]?.tags).toBeUndefined();
    expect(described.failures).toEqual([
      {
        arn: "arn:aws:ecs:eu-west-1:000000000000:task/default/0123456789abcdef0123456789abcdef",
        reason: "MISSING",
      },
    ]);
    const withTags = await h.ecs.send(
      new DescribeTasksCommand({ tasks: [arns[0] as string], include: ["TAGS"] }),
    );
    expect(withTags.tasks?.[0]?.tags).toEqual([{ key: "team", value: "data" }]);

    const list = async (input: ListTasksCommandInput) =>
      ((await h.ecs.send(new ListTasksCommand(input))).taskArns ?? []).sort();
    expect(await list({ cluster: "default" })).toHaveLength(3);
    expect(await list({ startedBy: "ecs-jobs/report/run-1" })).toEqual([...arns].sort());
    expect(await list({ family: "agent" })).toEqual([other.tasks?.[0]?.taskArn]);
    expect(await list({ launchType: "FARGATE" })).toEqual([...arns].sort());
    expect(await list({ desiredStatus: "STOPPED" })).toEqual([]);
    // ECS: "When you specify startedBy as the filter, it must be the only filter that you use."
    for (const other of [{ family: "agent" }, { launchType: "FARGATE" as const }, { serviceName: "web" }])
      await expect(list({ startedBy: "ecs-jobs/report/run-1", ...other })).rejects.toThrow(
        InvalidParameterException,
      );
    const paged = await h.ecs.send(new ListTasksCommand({ maxResults: 2 }));
    expect(paged.taskArns).toHaveLength(2);
    const rest = await h.ecs.send(new ListTasksCommand({ maxResults: 2, nextToken: paged.nextToken }));
    expect(rest.taskArns).toHaveLength(1);
    expect(rest.nextToken).toBeUndefined();

    const stopped = await h.ecs.send(
      new StopTaskCommand({ task: arns[0], reason: "replaced by a newer run" }),
    );
    expect(stopped.task).toMatchObject({
      desiredStatus: "STOPPED",
      stopCode: "UserInitiated",
      stoppedReason: "replaced by a newer run",
    });
    expect(await list({ desiredStatus: "STOPPED" })).toEqual([arns[0]]);
    expect(await list({ startedBy: "ecs-jobs/report/run-1" })).toEqual([arns[1]]);
    await waitUntilTasksStopped(
      { client: h.ecs, maxWaitTime: 10, minDelay: 1, maxDelay: 1 },
      { tasks: [arns[0] as string] },
    );
  });

  it("knows only the clusters created, as ECS: a misspelled cluster fails here as it would in AWS", async () => {
    const strict = await harness();
    try {
      for (const call of [
        new ListTasksCommand({ cluster: "reprots" }),
        new RunTaskCommand({ cluster: "reprots", taskDefinition: "report" }),
      ])
        await expect(strict.ecs.send(call as never)).rejects.toBeInstanceOf(ClusterNotFoundException);
      strict.emu.createCluster("reports");
      await expect(strict.ecs.send(new ListTasksCommand({ cluster: "reports" }))).resolves.toMatchObject({
        taskArns: [],
      });
    } finally {
      await strict.close();
    }
    const convenient = await harness({ autoCreateClusters: true });
    try {
      await expect(convenient.ecs.send(new ListTasksCommand({ cluster: "anything" }))).resolves.toBeDefined();
    } finally {
      await convenient.close();
    }
  });

  it("answers the exceptions ECS answers, as the SDK's exception classes", async () => {
    const noCluster = await harness({ autoCreateClusters: false });
    try {
      const missing = noCluster.ecs.send(new RunTaskCommand({ cluster: "nope", taskDefinition: "report" }));
      await expect(missing).rejects.toBeInstanceOf(ClusterNotFoundException);
      await expect(missing).rejects.toThrow("Cluster not found.");
      await expect(noCluster.ecs.send(new ListTasksCommand({ cluster: "nope" }))).rejects.toBeInstanceOf(
        ClusterNotFoundException,
      );
    } finally {
      expectAnswersMatchModel(noCluster.emu);
      await noCluster.close();
    }

    const cases: [RunTaskCommandInput, unknown, string][] = [
      [{ taskDefinition: "nope" }, ClientException, "TaskDefinition not found."],
      [
        {
          taskDefinition: "report",
          launchType: "FARGATE",
          capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }],
          networkConfiguration: AWSVPC,
        },
        InvalidParameterException,
        "Specifying both a launch type and capacity provider strategy is not supported",
      ],
      [
        { taskDefinition: "report", launchType: "FARGATE" },
        InvalidParameterException,
        "Network Configuration must be provided when networkMode 'awsvpc' is specified.",
      ],
      [
        { taskDefinition: "agent", launchType: "FARGATE" },
        InvalidParameterException,
        "Task definition does not support launch_type FARGATE.",
      ],
      [
        { taskDefinition: "report", launchType: "FARGATE", networkConfiguration: AWSVPC, count: 11 },
        InvalidParameterException,
        "count: expected 1..10, got 11",
      ],
      [
        {
          taskDefinition: "report",
          launchType: "FARGATE",
          networkConfiguration: AWSVPC,
          startedBy: "x".repeat(129),
        },
        InvalidParameterException,
        "startedBy: expected at most 128 characters, got 129",
      ],
      [
        {
          taskDefinition: "report",
          launchType: "FARGATE",
          networkConfiguration: AWSVPC,
          overrides: { containerOverrides: [{ name: "ap" }] },
        },
        InvalidParameterException,
        "Override for container named ap is not a container in the TaskDefinition.",
      ],
    ];
    for (const [input, type, message] of cases) {
      const call = h.ecs.send(new RunTaskCommand(input));
      await expect(call, JSON.stringify(input)).rejects.toBeInstanceOf(type);
      await expect(call).rejects.toThrow(message);
    }
    const stopUnknown = h.ecs.send(new StopTaskCommand({ task: "0123456789abcdef0123456789abcdef" }));
    await expect(stopUnknown).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(stopUnknown).rejects.toThrow("The referenced task was not found.");
  });

  it("keeps RunTask idempotent per clientToken: same request, same tasks; other request, ConflictException", async () => {
    const input = {
      taskDefinition: "report",
      launchType: "FARGATE" as const,
      networkConfiguration: AWSVPC,
      count: 2,
      clientToken: "run-1-0",
    };
    const first = await h.ecs.send(new RunTaskCommand(input));
    const again = await h.ecs.send(new RunTaskCommand({ ...input }));
    expect(again.tasks?.map((t) => t.taskArn)).toEqual(first.tasks?.map((t) => t.taskArn));
    expect(h.emu.tasks().filter((t) => t.launchType === "FARGATE")).toHaveLength(2);

    const conflict = h.ecs.send(new RunTaskCommand({ ...input, count: 1 }));
    await expect(conflict).rejects.toBeInstanceOf(ConflictException);
    // Tokens are per cluster: the same token in another cluster is a new request.
    h.emu.createCluster("reports");
    const elsewhere = await h.ecs.send(new RunTaskCommand({ ...input, cluster: "reports" }));
    expect(elsewhere.tasks).toHaveLength(2);
    expect(h.emu.tasks()).toHaveLength(4);
  });

  it("reports clusters and their task counts", async () => {
    await h.ecs.send(new CreateClusterCommand({ clusterName: "reports" }));
    await h.ecs.send(
      new RunTaskCommand({
        cluster: "reports",
        taskDefinition: "report",
        launchType: "FARGATE",
        networkConfiguration: AWSVPC,
      }),
    );
    const list = await h.ecs.send(new ListClustersCommand({}));
    expect(list.clusterArns).toEqual([
      "arn:aws:ecs:eu-west-1:000000000000:cluster/default",
      "arn:aws:ecs:eu-west-1:000000000000:cluster/reports",
    ]);
    const d = await h.ecs.send(new DescribeClustersCommand({ clusters: ["reports", "ghost"] }));
    expect(d.clusters?.[0]).toMatchObject({ clusterName: "reports", status: "ACTIVE", pendingTasksCount: 1 });
    expect(d.failures).toEqual([
      { arn: "arn:aws:ecs:eu-west-1:000000000000:cluster/ghost", reason: "MISSING" },
    ]);
  });
});

describe("failures", () => {
  beforeEach(async () => {
    h = await harness();
    await h.ecs.send(new RegisterTaskDefinitionCommand(FARGATE_DEF));
    await h.ecs.send(
      new RegisterTaskDefinitionCommand({
        ...BRIDGE_DEF,
        containerDefinitions: [{ name: "agent", image: "agent", memory: 3000 }],
      }),
    );
  });

  it("returns Spot capacity shortages as failures and launches nothing", async () => {
    h.emu.setCapacityAvailable("FARGATE_SPOT", false);
    const spot = await h.ecs.send(
      new RunTaskCommand({
        taskDefinition: "report",
        capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }],
        networkConfiguration: AWSVPC,
      }),
    );
    expect(spot.tasks).toEqual([]);
    expect(spot.failures).toEqual([
      {
        reason:
          "Capacity is unavailable at this time. Please try again later or in a different availability zone",
      },
    ]);
    const fallback = await h.ecs.send(
      new RunTaskCommand({ taskDefinition: "report", launchType: "FARGATE", networkConfiguration: AWSVPC }),
    );
    expect(fallback.tasks).toHaveLength(1);
  });

  it("places EC2 tasks on container instances and reports RESOURCE:MEMORY for the rest", async () => {
    const none = h.ecs.send(new RunTaskCommand({ taskDefinition: "agent", launchType: "EC2" }));
    await expect(none).rejects.toThrow("No Container Instances were found in your cluster.");
    const instance = h.emu.addContainerInstance("default", { memory: 4000 });
    const r = await h.ecs.send(new RunTaskCommand({ taskDefinition: "agent", launchType: "EC2", count: 2 }));
    expect(r.tasks).toHaveLength(1);
    expect(r.tasks?.[0]?.containerInstanceArn).toBe(instance.containerInstanceArn);
    expect(r.failures).toEqual([{ arn: instance.containerInstanceArn, reason: "RESOURCE:MEMORY" }]);
  });

  it("raises errors of the model's other exception types as ECSServiceException", async () => {
    const call = h.ecs.send(new RunTaskCommand({ taskDefinition: "report", clientToken: "\u0001" }));
    await expect(call).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(call).rejects.toBeInstanceOf(ECSServiceException);
  });
});
