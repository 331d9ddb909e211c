import { DescribeTaskDefinitionCommand, ECSClient, RunTaskCommand } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBehaviourResolver, UNCLAIMED_BEHAVIOUR } from "../../local/behaviour-resolver.ts";
import { type EcsEmulator, startEcsEmulator } from "../../local/ecs/index.ts";
import { identityOf } from "../../local/identity.ts";
import { planInstances } from "../../local/instances.ts";
import { planTaskDefinitions, registerTaskDefinitions } from "../../local/job-task-definitions.ts";
import { catalogOf } from "../../src/catalog/catalog.ts";
import { runTaskRequests } from "../../src/jobspec/requests.ts";
import { job } from "../support/spec.ts";

const report = job(
  `task:
  cluster: reports
  taskDefinition: arn:aws:ecs:eu-west-1:111122223333:task-definition/report:3
  launchType: FARGATE
  network: { subnets: [subnet-0abc] }
  overrides:
    containers:
      - { name: web, command: [node, build.js] }
      - { name: sidecar }
local: { outcome: "exit:7", durationSeconds: 0.05 }
`,
  "report",
);
const warm = job(
  `onInstanceLaunch: true
task:
  cluster: tiles
  taskDefinition: warm
  launchType: EC2
  placement:
    constraints: [{ type: memberOf, expression: "attribute:ecs.instance-type =~ r6i.*" }]
local: { outcome: succeed, durationSeconds: 0.05 }
`,
  "warm",
);

describe("task definitions registered for the jobs", () => {
  const identity = identityOf([report, warm]);
  let emulator: EcsEmulator;
  let ecs: ECSClient;
  const resolve = createBehaviourResolver({
    catalog: catalogOf([report, warm]),
    jobOfRun: async (runId) => (runId === "20260101T000000Z-00000001" ? "warm" : undefined),
  });

  beforeAll(async () => {
    emulator = await startEcsEmulator({ ...identity, behaviour: resolve });
    // The jobs' clusters, as the user's account (and the local stack) has them.
    for (const name of ["reports", "tiles"]) emulator.createCluster(name);
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

  it("takes account and region from the ARNs the jobs name", () => {
    expect(identity).toEqual({ region: "eu-west-1", accountId: "111122223333", conflicts: [] });
  });

  it("plans one definition per family with the job's containers, awslogs and the revision named", () => {
    const { plans, skipped } = planTaskDefinitions([report, warm], identity);
    expect(skipped).toEqual([]);
    const plan = plans.find((p) => p.family === "report");
    expect(plan?.revision).toBe(3);
    const defs = plan?.request.containerDefinitions ?? [];
    expect(defs.map((d) => [d.name, d.essential, d.command])).toEqual([
      ["web", true, ["node", "build.js"]],
      ["sidecar", true, undefined],
    ]);
    expect(defs[0]?.logConfiguration).toMatchObject({
      logDriver: "awslogs",
      options: { "awslogs-group": "/ecs/report", "awslogs-stream-prefix": "ecs" },
    });
    expect(plans.find((p) => p.family === "warm")?.request.containerDefinitions?.map((d) => d.name)).toEqual([
      "app",
    ]);
  });

  it("registers what is missing once, so that the job's own RunTask request is accepted", async () => {
    const { plans } = planTaskDefinitions([report, warm], identity);
    const registry = {
      registerTaskDefinition: emulator.registerTaskDefinition,
      registeredRevisions: (family: string) =>
        emulator.snapshot().taskDefinitions.filter((d) => d.taskDefinition.family === family).length,
    };
    expect(registerTaskDefinitions(registry, plans).sort()).toEqual(["report", "warm"]);
    expect(registerTaskDefinitions(registry, plans)).toEqual([]);
    const described = await ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: report.spec.task.taskDefinition }),
    );
    expect(described.taskDefinition?.revision).toBe(3);

    // The exact request the launcher sends for this job (what `ecs-jobs show` prints).
    const [request] = runTaskRequests(report, "20260101T000000Z-00000002");
    const out = await ecs.send(new RunTaskCommand(request?.input as never));
    expect(out.failures).toEqual([]);
    const task = await emulator.waitForTask(out.tasks?.[0]?.taskArn as string, "STOPPED");
    // The resolver gave the task the job's `local` behaviour, found through startedBy.
    expect(task.containers?.find((c) => c.name === "web")?.exitCode).toBe(7);
  });

  it("finds a task's job by startedBy, by the run's job for StartTask, else by task definition family", async () => {
    const ctx = (startedBy: string | undefined, family: string) =>
      ({ startedBy, taskDefinition: { family } }) as Parameters<typeof resolve>[0];
    expect(await resolve(ctx("ecs-jobs/report/20260101T000000Z-00000003", "other"))).toMatchObject({
      outcome: "exit:7",
    });
    expect(await resolve(ctx("ecs-jobs/20260101T000000Z-00000001", "other"))).toMatchObject({
      outcome: "succeed",
      durationSeconds: 0.05,
    });
    expect(await resolve(ctx("someone-else", "report"))).toMatchObject({ outcome: "exit:7" });
    expect(await resolve(ctx(undefined, "unknown"))).toEqual(UNCLAIMED_BEHAVIOUR);
  });

  it("plans container instances where EC2 and onInstanceLaunch jobs need them", () => {
    const [plan] = planInstances([report, warm], identity.region);
    expect(plan?.cluster).toBe("tiles");
    expect(plan?.instances.map((i) => [i.instanceType, i.availabilityZone])).toEqual([
      ["r6i.large", "eu-west-1a"],
      ["r6i.large", "eu-west-1b"],
    ]);
    expect(planInstances([report], identity.region)).toEqual([]);
  });
});
