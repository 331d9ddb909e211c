/**
 * Every request `ecs-jobs show` prints for the example jobs is a valid input of its operation in the real ECS
 * model (../shared/aws-models/ecs.json), with the limits the ECS API reference states on top.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ECS_DOCUMENTED_LIMITS, FULL_ECS_MODEL_FILE } from "../../local/model/ecs-model.ts";
import type { BotocoreModel } from "../../local/model/model-types.ts";
import { applyConstraints } from "../../local/model/overlay.ts";
import { formatShapeIssues, validateOperation } from "../../local/model/validate.ts";
import { cli, ROOT } from "../support/cli.ts";

interface Shown {
  operation: string;
  input: Record<string, unknown>;
}

const jobNames = readdirSync(join(ROOT, "jobs"))
  .filter((f) => f.endsWith(".yml") && f !== "defaults.yml")
  .map((f) => f.slice(0, -4));

describe("requests shown for the example jobs, against the real ECS model", () => {
  if (!existsSync(FULL_ECS_MODEL_FILE))
    throw new Error(`${FULL_ECS_MODEL_FILE} is missing: this test needs ../shared beside the checkout`);
  const model = applyConstraints(
    JSON.parse(readFileSync(FULL_ECS_MODEL_FILE, "utf8")) as BotocoreModel,
    ECS_DOCUMENTED_LIMITS,
  );

  const shown = async (name: string): Promise<Shown[]> => {
    const r = await cli(["show", name, "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout) as Shown[];
  };

  it("covers every example job", () => {
    expect(jobNames.length).toBeGreaterThanOrEqual(6);
  });

  it.each(jobNames)("%s: every request is a valid input of its operation", async (name) => {
    const requests = await shown(name);
    expect(requests.length).toBeGreaterThan(0);
    for (const { operation, input } of requests) {
      expect(["RunTask", "StartTask"]).toContain(operation);
      expect(model.operations[operation], operation).toBeDefined();
      const issues = validateOperation(model, operation, "input", input);
      expect(formatShapeIssues(issues), `${name} ${operation}`).toBe("");
    }
  });

  it("rejects what ECS would reject, so the check above can fail", async () => {
    const [first] = await shown("thumbnail-fanout");
    const input = { ...first?.input, count: 11, startedBy: "x".repeat(129), launchType: "LAMBDA" };
    const paths = validateOperation(model, "RunTask", "input", input).map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(["count", "startedBy", "launchType"]));
  });
});
