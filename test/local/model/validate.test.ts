/** validateShape against the real ECS model (trimmed copy), and on small synthetic models for each type. */
import { describe, expect, it } from "vitest";
import { ecsModel, ecsModelWithLimits } from "../../../local/model/ecs-model.ts";
import type { BotocoreModel } from "../../../local/model/model-types.ts";
import { validateOperation, validateShape } from "../../../local/model/validate.ts";

const VALID_RUN_TASK = {
  cluster: "reports",
  taskDefinition: "report:7",
  count: 2,
  launchType: "FARGATE",
  startedBy: "ecs-jobs/report/20260101T030000Z-0a1b2c3d",
  clientToken: "20260101T030000Z-0a1b2c3d-0",
  networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-0abc"], assignPublicIp: "DISABLED" } },
  overrides: {
    cpu: "1024",
    containerOverrides: [
      { name: "app", command: ["node", "build.js"], environment: [{ name: "A", value: "1" }] },
    ],
    ephemeralStorage: { sizeInGiB: 21 },
  },
  tags: [{ key: "team", value: "data" }],
  enableECSManagedTags: true,
  propagateTags: "TASK_DEFINITION",
};

const runTask = (patch: Record<string, unknown>) =>
  validateShape(ecsModelWithLimits(), "RunTaskRequest", { ...VALID_RUN_TASK, ...patch });

describe("RunTask and StartTask requests against the ECS model", () => {
  it("accepts valid requests", () => {
    expect(runTask({})).toEqual([]);
    expect(
      validateShape(ecsModelWithLimits(), "StartTaskRequest", {
        taskDefinition: "agent",
        containerInstances: ["arn:aws:ecs:eu-west-1:111122223333:container-instance/default/abc"],
        startedBy: "ecs-jobs/20260101T030000Z-0a1b2c3d",
      }),
    ).toEqual([]);
  });

  it("names each offending field with what was expected", () => {
    expect(runTask({ taskDefinition: undefined })).toEqual([
      { path: "taskDefinition", kind: "required", message: "is required" },
    ]);
    expect(runTask({ launchType: "FARGAT" })).toEqual([
      {
        path: "launchType",
        kind: "enum",
        message:
          'expected one of EC2 | FARGATE | EXTERNAL | MANAGED_INSTANCES, got "FARGAT" (did you mean "FARGATE"?)',
      },
    ]);
    expect(runTask({ count: 11 })).toEqual([
      { path: "count", kind: "range", message: "expected 1..10, got 11" },
    ]);
    expect(runTask({ count: 0 })[0]?.message).toBe("expected 1..10, got 0");
    expect(runTask({ startedBy: "x".repeat(129) })).toEqual([
      { path: "startedBy", kind: "length", message: "expected at most 128 characters, got 129" },
    ]);
    expect(runTask({ taskDefinitoin: "x" })).toEqual([
      { path: "taskDefinitoin", kind: "unknown", message: 'unknown member (did you mean "taskDefinition"?)' },
    ]);
    expect(runTask({ tags: [{ key: "a!b", value: "x" }] })).toEqual([
      {
        path: "tags[0].key",
        kind: "pattern",
        message: '"a!b" does not match the pattern ([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)',
      },
    ]);
    expect(
      runTask({
        overrides: {
          containerOverrides: [{ name: "app", environment: [{ name: "A", value: "1" }, { name: 1 }] }],
        },
      }),
    ).toEqual([
      {
        path: "overrides.containerOverrides[0].environment[1].name",
        kind: "type",
        message: "expected a string, got an integer",
      },
    ]);
    expect(
      validateShape(ecsModelWithLimits(), "StartTaskRequest", {
        taskDefinition: "agent",
        containerInstances: ["i"],
        startedBy: "x".repeat(37),
      }),
    ).toEqual([{ path: "startedBy", kind: "length", message: "expected at most 36 characters, got 37" }]);
  });

  it("reports every issue of a request in one pass", () => {
    const issues = runTask({
      count: "2",
      launchType: 1,
      bogus: true,
      networkConfiguration: { awsvpcConfiguration: {} },
    });
    expect(issues.map((i) => `${i.path} ${i.kind}`).sort()).toEqual([
      "bogus unknown",
      "count type",
      "launchType type",
      "networkConfiguration.awsvpcConfiguration.subnets required",
    ]);
  });

  it("the documented limits come from the overlay: the model alone has none for count", () => {
    expect(validateShape(ecsModel(), "RunTaskRequest", { ...VALID_RUN_TASK, count: 11 })).toEqual([]);
    expect(ecsModel().shapes.RunTaskRequest?.members?.count?.shape).toBe("BoxedInteger");
  });

  it("checks answers too: Task timestamps as epoch seconds, enums, nested structures", () => {
    const ok = {
      tasks: [{ taskArn: "arn", createdAt: 1767236400.5, stopCode: "UserInitiated", version: 3 }],
      failures: [],
    };
    expect(validateOperation(ecsModel(), "DescribeTasks", "output", ok)).toEqual([]);
    const bad = { tasks: [{ createdAt: "yesterday", stopCode: "Stopped", version: 1.5 }] };
    expect(
      validateOperation(ecsModel(), "DescribeTasks", "output", bad).map((i) => `${i.path} ${i.kind}`),
    ).toEqual(["tasks[0].createdAt type", "tasks[0].stopCode enum", "tasks[0].version type"]);
  });
});

describe("types on a synthetic model", () => {
  const model: BotocoreModel = {
    metadata: {},
    operations: {},
    shapes: {
      Root: {
        type: "structure",
        required: ["id"],
        members: {
          id: { shape: "Id" },
          n: { shape: "Small" },
          big: { shape: "Big" },
          ratio: { shape: "Ratio" },
          flag: { shape: "Flag" },
          at: { shape: "At" },
          data: { shape: "Data" },
          labels: { shape: "Labels" },
          doc: { shape: "Doc" },
          weird: { shape: "Weird" },
          choice: { shape: "Choice" },
        },
      },
      Id: { type: "string", min: 2, max: 4, pattern: "[a-z]+" },
      Small: { type: "integer", min: 1, max: 5 },
      Big: { type: "long" },
      Ratio: { type: "double", min: 0, max: 1 },
      Flag: { type: "boolean" },
      At: { type: "timestamp" },
      Data: { type: "blob" },
      Labels: { type: "map", key: { shape: "Id" }, value: { shape: "Small" }, max: 2 },
      Doc: { type: "structure", document: true, members: {} },
      Weird: { type: "string", pattern: "[a-z&&[^b]]+" },
      Choice: { type: "structure", union: true, members: { a: { shape: "Flag" }, b: { shape: "Flag" } } },
    },
  };
  const check = (value: unknown) =>
    validateShape(model, "Root", value).map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));

  it("checks each scalar type and its bounds", () => {
    expect(
      check({ id: "ab", n: 3, big: 2 ** 40, ratio: 0.5, flag: false, at: new Date(), data: "aGk=" }),
    ).toEqual([]);
    expect(check({ id: "abcde" })).toEqual(["id: expected 2..4 characters, got 5"]);
    expect(check({ id: "AB" })).toEqual(['id: "AB" does not match the pattern [a-z]+']);
    expect(check({ id: "ab", n: 2 ** 31 })).toEqual([
      `n: expected a integer in -2147483648..2147483647, got ${2 ** 31}`,
    ]);
    expect(check({ id: "ab", n: 1.5 })).toEqual(["n: expected an integer, got a number"]);
    expect(check({ id: "ab", ratio: 2 })).toEqual(["ratio: expected 0..1, got 2"]);
    expect(check({ id: "ab", flag: "true" })).toEqual(["flag: expected a boolean, got a string"]);
    expect(check({ id: "ab", at: "not a date" })).toEqual(["at: expected a timestamp, got a string"]);
    expect(check({ id: "ab", at: "2026-01-01T00:00:00Z" })).toEqual([]);
    expect(validateShape(model, "Root", { id: "ab", at: "2026-01-01T00:00:00Z" }, { wire: true })).toEqual([
      { path: "at", kind: "type", message: "expected a timestamp in epoch seconds, got a string" },
    ]);
    expect(check({ id: "ab", data: "%%%" })).toEqual(["data: expected base64 data, got a string"]);
    expect(check([])).toEqual(["expected a structure, got a list"]);
    expect(check({ id: null })).toEqual(["id: is required"]);
  });

  it("checks map keys, values and size; documents take anything; unions need exactly one member", () => {
    expect(check({ id: "ab", labels: { ab: 1, "Not ok": 9 } })).toEqual([
      'labels["Not ok"]: key: expected 2..4 characters, got 6',
      'labels["Not ok"]: key: "Not ok" does not match the pattern [a-z]+',
      'labels["Not ok"]: expected 1..5, got 9',
    ]);
    expect(check({ id: "ab", labels: { ab: 1, cd: 2, ef: 3 } })).toEqual([
      "labels: expected at most 2 entries, got 3",
    ]);
    expect(check({ id: "ab", doc: { anything: [1, { x: null }] } })).toEqual([]);
    expect(check({ id: "ab", choice: { a: true, b: false } })).toEqual([
      "choice: expected exactly one member of a | b, got 2",
    ]);
  });

  it("skips a pattern JavaScript cannot compile, and counts it", () => {
    const stats = { skippedPatterns: 0 };
    expect(validateShape(model, "Root", { id: "ab", weird: "b" }, { stats })).toEqual([]);
    expect(stats.skippedPatterns).toBe(1);
  });
});
