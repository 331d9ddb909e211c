import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadJobsDir, readJobsDir } from "../../src/catalog/read-dir.ts";
import { jobJsonSchemaText } from "../../src/jobspec/json-schema.ts";

const root = join(import.meta.dirname, "..", "..");
const jobsDir = join(root, "jobs");

describe("the example jobs", () => {
  const result = loadJobsDir(jobsDir, root);

  it("are all valid", () => {
    expect(result.issues).toEqual([]);
    expect(result.jobs.length).toBeGreaterThanOrEqual(6);
  });

  it("show the range the README promises", () => {
    const specs = result.jobs.map((j) => j.spec);
    expect(
      specs.some(
        (s) =>
          s.task.launchType === "FARGATE" &&
          s.schedule?.expression.startsWith("cron(") &&
          s.schedule.timezone !== "UTC",
      ),
    ).toBe(true);
    expect(specs.some((s) => s.task.launchType === "EC2" && s.task.placement?.template)).toBe(true);
    expect(
      specs.some(
        (s) => s.http && typeof s.http === "object" && s.http.allowOverrides.length > 0 && !s.schedule,
      ),
    ).toBe(true);
    expect(specs.some((s) => s.onInstanceLaunch)).toBe(true);
    expect(
      specs.some((s) => s.task.capacityProviderStrategy?.some((c) => c.capacityProvider === "FARGATE_SPOT")),
    ).toBe(true);
    expect(specs.some((s) => s.task.count === 25)).toBe(true);
  });

  it("carry the yaml-language-server schema header", () => {
    for (const f of readJobsDir(jobsDir, root).files) {
      expect(f.text.split("\n")[0], f.file).toBe("# yaml-language-server: $schema=../schema/job.schema.json");
    }
  });
});

describe("schema/job.schema.json", () => {
  it("is fresh: regenerate it with `npm run schema` when the zod schema changes", () => {
    expect(readFileSync(join(root, "schema", "job.schema.json"), "utf8")).toBe(jobJsonSchemaText());
  });

  it("describes the fields of a job and rejects unknown ones", () => {
    const schema = JSON.parse(jobJsonSchemaText());
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(["task"]);
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(["schedule", "http", "onInstanceLaunch", "task", "policy", "alerts", "local"]),
    );
    expect(schema.properties.task.properties.count).toMatchObject({ minimum: 1, maximum: 10000 });
  });
});

describe("readJobsDir", () => {
  it("ignores files starting with _ and finds defaults.yml", () => {
    const text = readJobsDir(jobsDir, root);
    expect(text.defaults?.file).toBe("jobs/defaults.yml");
    expect(text.files.every((f) => !f.file.split("/").pop()?.startsWith("_"))).toBe(true);
  });
});
