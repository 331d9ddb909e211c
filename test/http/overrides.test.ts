import { DescribeTaskDefinitionCommand, ECSClient } from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { runOverridesFor } from "../../src/http/overrides.ts";
import { parseRunRequest } from "../../src/http/run-request.ts";
import { testDeps } from "../launch/harness.ts";
import { FARGATE_JOB, job } from "../support/spec.ts";

const ecs = mockClient(ECSClient);
afterEach(() => {
  ecs.reset();
});

const withAllow = (allow: string, containers = "") =>
  job(
    `${FARGATE_JOB}${containers ? `  overrides:\n    containers:\n${containers}` : ""}http:\n  allowOverrides: ${allow}\n`,
  );
const TWO = "      - name: app\n      - name: worker\n";

const resolve = (j: ReturnType<typeof job>, body: unknown) =>
  runOverridesFor(testDeps([j]), j, parseRunRequest(body), {
    allow: typeof j.spec.http === "object" ? j.spec.http.allowOverrides : [],
  });

describe("allowlist", () => {
  it("unprefixed entries and overrides mean the first container of the job", async () => {
    const j = withAllow("[command, environment.MODE, count, cpu, memory]", TWO);
    await expect(
      resolve(j, {
        count: 3,
        overrides: { command: ["a"], environment: { MODE: "fast" }, cpu: 512, memory: "2048" },
      }),
    ).resolves.toEqual({
      count: 3,
      cpu: "512",
      memory: "2048",
      containers: { app: { command: ["a"], environment: { MODE: "fast" } } },
    });
    // The same entries cover containers.app (the default) but not containers.worker.
    await expect(resolve(j, { overrides: { containers: { app: { command: ["b"] } } } })).resolves.toEqual({
      containers: { app: { command: ["b"] } },
    });
    await expect(
      resolve(j, { overrides: { containers: { worker: { command: ["b"] } } } }),
    ).rejects.toMatchObject({
      field: "overrides.containers.worker.command",
    });
  });

  it("CONTAINER.-prefixed entries allow only that container", async () => {
    const j = withAllow("[worker.command, worker.environment.*]", TWO);
    await expect(
      resolve(j, {
        overrides: { containers: { worker: { command: ["w"], environment: { ANY_NAME: "1" } } } },
      }),
    ).resolves.toEqual({ containers: { worker: { command: ["w"], environment: { ANY_NAME: "1" } } } });
    await expect(resolve(j, { overrides: { command: ["x"] } })).rejects.toMatchObject({
      field: "overrides.command",
    });
  });

  it("environment.* allows any name, environment.NAME only that one", async () => {
    const j = withAllow("[environment.A]", TWO);
    await expect(resolve(j, { overrides: { environment: { A: "1" } } })).resolves.toBeDefined();
    await expect(resolve(j, { overrides: { environment: { B: "1" } } })).rejects.toMatchObject({
      field: "overrides.environment.B",
    });
  });

  it("without containers in the spec, the task definition's first container is the default", async () => {
    ecs.on(DescribeTaskDefinitionCommand).resolves({
      taskDefinition: { containerDefinitions: [{ name: "main" }, { name: "log-router", essential: false }] },
    });
    const j = withAllow("[command]");
    await expect(resolve(j, { overrides: { command: ["go"] } })).resolves.toEqual({
      containers: { main: { command: ["go"] } },
    });
  });

  it("without containers and without a readable task definition, unprefixed overrides are refused", async () => {
    ecs.on(DescribeTaskDefinitionCommand).rejects(new Error("AccessDenied"));
    const j = withAllow("[command]");
    await expect(resolve(j, { overrides: { command: ["go"] } })).rejects.toMatchObject({
      field: "overrides.command",
      message: expect.stringMatching(/name the container/),
    });
  });

  it("an operator (CLI) may override anything", async () => {
    const j = withAllow("[]", TWO);
    await expect(
      runOverridesFor(testDeps([j]), j, parseRunRequest({ count: 2, overrides: { cpu: "1024" } }), {
        allow: "any",
      }),
    ).resolves.toEqual({ count: 2, cpu: "1024" });
  });
});
