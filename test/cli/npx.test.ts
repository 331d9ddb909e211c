/**
 * `npx ecs-jobs …` as a user runs it: with the machine's own npm and Node (which may be older than the
 * pinned Node 22 that runs the CLI), and an empty npx cache, as on the first run on a fresh machine.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import pkg from "../../package.json" with { type: "json" };
import { ROOT } from "../support/cli.ts";

// npm run and vitest put node_modules/.bin (the pinned Node) first on PATH: drop it to get the machine's own.
const machinePath = (process.env.PATH ?? "")
  .split(delimiter)
  .filter((p) => !p.includes("node_modules"))
  .join(delimiter);

const cache = mkdtempSync(join(tmpdir(), "ecs-jobs-npx-cache-"));
afterAll(() => rmSync(cache, { recursive: true, force: true }));

describe("npx ecs-jobs", () => {
  it("prints the version and no npm warning, even on its first run with the machine's Node", () => {
    const machineNode = spawnSync("node", ["--version"], {
      encoding: "utf8",
      env: { ...process.env, PATH: machinePath },
    });
    const r = spawnSync("npx", ["ecs-jobs", "--version"], {
      cwd: ROOT,
      encoding: "utf8",
      env: {
        ...process.env,
        PATH: machinePath,
        npm_config_cache: cache,
        npm_config_update_notifier: "false",
      },
    });
    expect(r.error, `npx not found on the machine's PATH (${machinePath})`).toBeUndefined();
    expect(r.stderr, `stderr of npx on the machine's Node ${machineNode.stdout.trim()}`).toBe("");
    expect(r.stdout.trim()).toBe(pkg.version);
    expect(r.status).toBe(0);
  });
});
