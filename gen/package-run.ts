/**
 * Runs the real `serverless package` (osls) on this repository, offline; shared by the deploy tests and the
 * package benchmark. Each run gets its own service folder (serverless.yml copied, the code linked) so runs
 * never share osls' `.serverless`/`.esbuild` work folders with each other or with a developer's own packaging.
 */
import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Template } from "../deploy/limits.ts";
import type { ScheduleManifest } from "../deploy/schedules.ts";

export const ROOT = resolve(import.meta.dirname, "..");
const NODE = join(ROOT, "node_modules", ".bin", "node");
const OSLS = join(ROOT, "node_modules", "osls", "bin", "serverless.js");
const LINKED = ["deploy", "handlers", "src", "node_modules", "package.json", "tsconfig.json", "jobs"];

export interface PackageRun {
  code: number;
  output: string;
  ms: number;
  /** The --package folder. */
  dir: string;
}

export interface Packaged extends PackageRun {
  template: Template & {
    Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    Outputs: Record<string, unknown>;
  };
  manifest: ScheduleManifest;
}

/** A service folder of its own: serverless.yml copied, the code linked. */
export function serviceFolder(): string {
  const service = mkdtempSync(join(tmpdir(), "ecs-jobs-service-"));
  copyFileSync(join(ROOT, "serverless.yml"), join(service, "serverless.yml"));
  for (const name of LINKED)
    if (existsSync(join(ROOT, name))) symlinkSync(join(ROOT, name), join(service, name));
  return service;
}

/** Runs osls with `args` in `service`; never rejects: a failure is a non-zero code with the output. */
export function runServerless(
  service: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; timeoutMs?: number | undefined },
): Promise<{ code: number; output: string; ms: number }> {
  const started = Date.now();
  return new Promise((done) => {
    execFile(
      NODE,
      [OSLS, ...args],
      { cwd: service, env: options.env, timeout: options.timeoutMs ?? 600_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        const killed = error?.killed ? `\nkilled after ${Date.now() - started} ms (timeout or signal)` : "";
        done({ code, output: `${stdout}\n${stderr}${killed}`, ms: Date.now() - started });
      },
    );
  });
}

export async function runPackage(
  options: { jobsDir?: string; stage?: string; timeoutMs?: number } = {},
): Promise<PackageRun> {
  const service = serviceFolder();
  const dir = join(service, "package");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // Packaging needs no AWS account; dummy credentials make any accidental call fail fast instead of hanging.
    AWS_ACCESS_KEY_ID: "AKIAEXAMPLE",
    AWS_SECRET_ACCESS_KEY: "example",
    AWS_EC2_METADATA_DISABLED: "true",
    ECS_JOBS_DIR: options.jobsDir ?? "",
  };
  const run = await runServerless(
    service,
    ["package", "--package", dir, "--stage", options.stage ?? "test", "--region", "eu-west-1"],
    { env, timeoutMs: options.timeoutMs },
  );
  return { ...run, dir };
}

export async function packageOrThrow(options: Parameters<typeof runPackage>[0] = {}): Promise<Packaged> {
  return readPackaged(await runPackage(options));
}

/** The template and manifest of a successful run; a failed run's output as the error. */
export function readPackaged(run: PackageRun): Packaged {
  if (run.code !== 0) throw new Error(`serverless package failed (${run.code}):\n${run.output}`);
  const read = (name: string) => JSON.parse(readFileSync(join(run.dir, name), "utf8"));
  return {
    ...run,
    template: read("cloudformation-template-update-stack.json"),
    manifest: read("schedules.json"),
  };
}
