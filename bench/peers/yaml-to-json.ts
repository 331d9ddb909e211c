/**
 * The validate peer's first step: `node bench/peers/yaml-to-json.ts IN OUT` writes each `job-*.yml` of IN
 * as JSON into OUT, read with js-yaml's core schema exactly as `ecs-jobs validate` reads a spec. ajv-cli
 * reads YAML itself, but with js-yaml 3's default schema, which turns an unquoted `startDate:
 * 2025-01-01T00:00:00Z` into a Date that the JSON Schema then rejects: it would fail 40 valid specs.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import jsYaml from "js-yaml";

const [from, to] = process.argv.slice(2);
if (!from || !to) {
  process.stderr.write("usage: yaml-to-json.ts IN_DIR OUT_DIR\n");
  process.exit(2);
}
mkdirSync(to, { recursive: true });
for (const name of readdirSync(from).filter((n) => /^job-.*\.yml$/.test(n))) {
  const value = jsYaml.load(readFileSync(join(from, name), "utf8"), { schema: jsYaml.CORE_SCHEMA });
  writeFileSync(join(to, name.replace(/\.yml$/, ".json")), JSON.stringify(value));
}
