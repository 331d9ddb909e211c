/** Running the CLI in-process (fast, most tests) or as a real process through bin/ (a few end-to-end tests). */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../src/cli/main.ts";

export const ROOT = join(import.meta.dirname, "..", "..");
export const NODE = join(ROOT, "node_modules", ".bin", "node");
export const BIN = join(ROOT, "bin", "ecs-jobs.js");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function cli(
  argv: string[],
  options: { cwd?: string; now?: Date; env?: Record<string, string> } = {},
): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, {
    io: {
      stdout: (t) => {
        stdout += t;
      },
      stderr: (t) => {
        stderr += t;
      },
      cwd: options.cwd ?? ROOT,
      env: { ...options.env },
      // As bin/ecs-jobs.js hands it: the CLI itself never imports local/.
      localStack: () => import("../../local/stack.ts"),
    },
    ...(options.now && { now: () => options.now as Date }),
  });
  return { code, stdout, stderr };
}

export function cliProcess(argv: string[], cwd = ROOT): CliResult {
  const r = spawnSync(NODE, [BIN, ...argv], { cwd, encoding: "utf8" });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A temporary jobs folder holding the given files (name → YAML). */
export function jobsFolder(filesByName: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "ecs-jobs-spec-"));
  for (const [name, text] of Object.entries(filesByName)) writeFileSync(join(dir, name), text);
  return dir;
}
