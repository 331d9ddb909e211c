/**
 * CLI start: `ecs-jobs run NAME` (no --wait) against the ECS emulator and dynalite, against the AWS CLI's
 * `aws ecs run-task` (the `aws` on PATH, v1 or v2; `.ci/run` installs Debian's when there is none) on the
 * same emulator, alternately. Goal ≤ 0.5× its time.
 * Measured as installed: through bin/ with the CLI bundle built first (install builds it).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunTaskCommandInput } from "@aws-sdk/client-ecs";
import { bundleEntry } from "../bin/cli-bundle.js";
import { runTaskRequests } from "../src/jobspec/requests.ts";
import { type Benchmark, BIN, interleavedAsync, NODE, ROOT, round, timeCommandAsync } from "./lib.ts";
import { JOB_NAME, REGION, startLocalEnv } from "./local-env.ts";

/** Found on PATH like any program: whichever install the machine has (Debian's, pip's, AWS's installer). */
export const AWS_CLI = "aws";

/** `aws --version`'s first word (e.g. `aws-cli/2.9.19`), or a clear error saying how to install it. */
export function awsCliVersion(env: NodeJS.ProcessEnv): string {
  const r = spawnSync(AWS_CLI, ["--version"], { encoding: "utf8", env });
  // ENOENT: no `aws` at all; 127: a shim (pyenv, asdf) with no CLI behind it.
  if (r.error || r.status !== 0)
    throw new Error(
      `the AWS CLI (\`aws\`) is not on PATH or does not run (${r.error?.message ?? `exit ${r.status}: ${r.stderr.trim()}`}): ` +
        "install it (apt-get install -y awscli; bash .ci/run does when there is none)",
    );
  return `${r.stdout}${r.stderr}`.trim().split(/\s+/)[0] ?? "aws";
}

/**
 * Builds the CLI bundle (scripts/build-cli.js, what install runs), measures, and says in a row note whether
 * bin/ ran the bundle throughout: a source edited meanwhile makes it stale, and bin/ then runs the sources.
 * A quick run (the smoke test) builds nothing: it measures whatever bin/ runs and leaves the checkout as is.
 */
export async function withCliBundle<T>(
  quick: boolean,
  measure: () => Promise<T>,
): Promise<{ result: T; note: string }> {
  if (!quick) {
    const built = spawnSync(NODE, [`${ROOT}/scripts/build-cli.js`], { encoding: "utf8" });
    if (built.status !== 0) throw new Error(`scripts/build-cli.js failed: ${built.stderr}`);
  }
  const result = await measure();
  // Staleness only grows until the next build: fresh now means fresh for every command measured.
  const fresh = bundleEntry(["--version"], {}) !== undefined;
  return {
    result,
    note: fresh
      ? "through bin/ running the CLI bundle (dist/cli)"
      : quick
        ? "through bin/ running the TypeScript sources (no fresh CLI bundle)"
        : "**mixed**: a file under src/ changed while this ran, so bin/ ran the TypeScript sources for some commands",
  };
}

export const cliRunBenchmark: Benchmark = {
  name: "cli-run",
  async run({ quick }) {
    const awsVersion = awsCliVersion(process.env);
    const env = await startLocalEnv();
    const home = mkdtempSync(join(tmpdir(), "ecs-jobs-bench-aws-"));
    try {
      // The same RunTask the launcher sends for the job, as the AWS CLI's JSON input; without clientToken,
      // which Debian's AWS CLI (2.9) predates.
      const request = runTaskRequests(env.job, "20260101T000000Z-bench000")[0];
      if (!request) throw new Error("the bench job has no RunTask request");
      const { clientToken: _, ...input } = request.input as RunTaskCommandInput;
      const awsEnv = {
        PATH: process.env.PATH ?? "",
        HOME: home,
        // A pyenv or asdf shim finds its Python through these, not through HOME.
        ...(process.env.PYENV_ROOT && { PYENV_ROOT: process.env.PYENV_ROOT }),
        ...(process.env.ASDF_DIR && { ASDF_DIR: process.env.ASDF_DIR }),
        AWS_ACCESS_KEY_ID: "local",
        AWS_SECRET_ACCESS_KEY: "local",
        AWS_DEFAULT_REGION: REGION,
        AWS_PAGER: "",
      };
      const before = env.emulator.tasks().length;
      let calls = 0;
      // The emulator runs in this process, so each command runs as a child while this loop waits for it:
      // the children are spawned asynchronously (the emulator must keep answering).
      const { result, note } = await withCliBundle(quick, () =>
        interleavedAsync(
          quick ? 1 : 9,
          async () => {
            calls++;
            return timeCommandAsync(NODE, [BIN, "run", JOB_NAME, "--jobs", env.jobsDir], { env: env.cliEnv });
          },
          async () => {
            calls++;
            return timeCommandAsync(
              AWS_CLI,
              [
                "ecs",
                "run-task",
                "--endpoint-url",
                env.emulator.url,
                "--cli-input-json",
                JSON.stringify(input),
              ],
              { env: awsEnv },
            );
          },
        ),
      );
      const { subject, base } = result;
      const started = env.emulator.tasks().length - before;
      if (started !== calls) throw new Error(`expected ${calls} tasks started, the emulator has ${started}`);
      const ratio = subject / base;
      return [
        {
          benchmark: "CLI start: ecs-jobs run NAME",
          baseline: `aws ecs run-task (${awsVersion})`,
          measured: round(subject),
          base: round(base),
          unit: "ms",
          ratio: round(ratio),
          goal: "≤ 0.5×",
          met: ratio <= 0.5,
          notes: note,
        },
      ];
    } finally {
      rmSync(home, { recursive: true, force: true });
      await env.close();
    }
  },
};
