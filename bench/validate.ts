/**
 * `ecs-jobs validate` over 1,000 generated job files, against its peer on the same files: ajv-cli
 * (`ajv validate`) with the JSON Schema the product publishes (schema/job.schema.json), after the YAML is
 * turned into JSON (bench/peers/yaml-to-json.ts, its CPU counted on the peer's side). CPU time (user + sys)
 * of the whole commands, alternately; goal ≤ 0.7× the peer's. ecs-jobs runs through bin/ with the CLI bundle
 * built first (as installed). The peer does less: no line/column positions, no cross-field rules, no
 * defaults.yml merge (so it checks the job files only, not defaults.yml).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateJobFiles, writeJobsFolder } from "../gen/job-files.ts";
import { withCliBundle } from "./cli-run.ts";
import { type Benchmark, BIN, cpuCommand, interleaved, NODE, ROOT, round } from "./lib.ts";

const AJV = join(ROOT, "node_modules", "ajv-cli", "dist", "index.js");
const SCHEMA = join(ROOT, "schema", "job.schema.json");
const TO_JSON = join(ROOT, "bench", "peers", "yaml-to-json.ts");

/** The peer: YAML → JSON, then ajv validate (draft 2020-12, with ajv-formats); its CPU in ms. */
export function ajvPeer(jobsDir: string): number {
  const json = mkdtempSync(join(tmpdir(), "ecs-jobs-bench-ajv-"));
  try {
    const convert = cpuCommand(NODE, [TO_JSON, jobsDir, json]);
    // --strict=false: ajv's strict mode refuses the union types zod's JSON Schema export uses (a
    // schema-authoring lint, not validation).
    const validate = cpuCommand(NODE, [
      AJV,
      "validate",
      "--spec=draft2020",
      "--strict=false",
      "-c",
      "ajv-formats",
      "-s",
      SCHEMA,
      "-d",
      join(json, "*.json"),
    ]);
    return convert + validate;
  } finally {
    rmSync(json, { recursive: true, force: true });
  }
}

export const validateBenchmark: Benchmark = {
  name: "validate",
  async run({ quick }) {
    const count = quick ? 5 : 1000;
    const dir = writeJobsFolder(generateJobFiles(count));
    try {
      const { result, note } = await withCliBundle(quick, async () =>
        interleaved(
          quick ? 1 : 9,
          () => cpuCommand(NODE, [BIN, "validate", "--jobs", dir]),
          () => ajvPeer(dir),
        ),
      );
      const { subject, base } = result;
      const ratio = subject / base;
      return [
        {
          benchmark: `validate ${count} specs (CPU, user+sys)`,
          baseline: "ajv validate (ajv-cli, YAML → JSON first)",
          measured: round(subject, 0),
          base: round(base, 0),
          unit: "ms",
          ratio: round(ratio),
          goal: "≤ 0.7×",
          met: ratio <= 0.7,
          notes: `${note}; the peer's time includes turning the YAML into JSON (js-yaml core schema, one node process)`,
        },
      ];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
