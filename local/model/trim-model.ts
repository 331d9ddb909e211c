/**
 * Regenerates ecs-model.json from the full botocore model:
 *   node local/model/trim-model.ts [path/to/ecs.json]
 * (default: ../shared/aws-models/ecs.json beside the repository). Run it after changing ECS_OPERATIONS or
 * updating the model; a test fails when the checked-in copy and a fresh trim differ.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ECS_MODEL_FILE, ECS_OPERATIONS, FULL_ECS_MODEL_FILE } from "./ecs-model.ts";
import type { BotocoreModel } from "./model-types.ts";
import { trimModel } from "./trim.ts";

export function trimEcsModel(source: string = FULL_ECS_MODEL_FILE): BotocoreModel {
  return trimModel(JSON.parse(readFileSync(source, "utf8")) as BotocoreModel, ECS_OPERATIONS);
}

function main(argv: string[]): void {
  const source = resolve(argv[0] ?? FULL_ECS_MODEL_FILE);
  const trimmed = trimEcsModel(source);
  writeFileSync(ECS_MODEL_FILE, `${JSON.stringify(trimmed, null, 2)}\n`);
  // The repository's formatter owns the layout of checked-in JSON; without it the file is still valid.
  const biome = resolve(import.meta.dirname, "../../node_modules/.bin/biome");
  if (existsSync(biome)) spawnSync(biome, ["format", "--write", ECS_MODEL_FILE], { stdio: "ignore" });
  const count = Object.keys(trimmed.shapes).length;
  process.stdout.write(`${ECS_MODEL_FILE}: ${ECS_OPERATIONS.length} operations, ${count} shapes\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  main(process.argv.slice(2));
