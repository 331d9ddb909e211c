/**
 * CLI start: `ecs-jobs run NAME` (no --wait) against the ECS emulator and dynalite, against the AWS CLI's
 * `aws ecs run-task` (Debian's /usr/bin/aws) on the same emulator, alternately. Goal ≤ 0.5× its time.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunTaskCommandInput } from "@aws-sdk/client-ecs";
import { runTaskRequests } from "../src/launch/requests.ts";
import { type Benchmark, BIN, interleavedAsync, NODE, round, timeCommandAsync } from "./lib.ts";
import { JOB_NAME, REGION, startLocalEnv } from "./local-env.ts";

export const AWS_CLI = "/usr/bin/aws";

export const cliRunBenchmark: Benchmark = {
  name: "cli-run",
  async run({ quick }) {
    if (!existsSync(AWS_CLI))
      throw new Error(`${AWS_CLI} is missing: install Debian's AWS CLI (apt-get install -y awscli)`);
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
        AWS_ACCESS_KEY_ID: "local",
        AWS_SECRET_ACCESS_KEY: "local",
        AWS_DEFAULT_REGION: REGION,
        AWS_PAGER: "",
      };
      const before = env.emulator.tasks().length;
      let calls = 0;
      // The emulator runs in this process, so each command runs as a child while this loop waits for it:
      // the children are spawned asynchronously (the emulator must keep answering).
      const { subject, base } = await interleavedAsync(
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
      );
      const started = env.emulator.tasks().length - before;
      if (started !== calls) throw new Error(`expected ${calls} tasks started, the emulator has ${started}`);
      const ratio = subject / base;
      return [
        {
          benchmark: "CLI start: ecs-jobs run NAME",
          baseline: "aws ecs run-task",
          measured: round(subject),
          base: round(base),
          unit: "ms",
          ratio: round(ratio),
          goal: "≤ 0.5×",
          met: ratio <= 0.5,
        },
      ];
    } finally {
      rmSync(home, { recursive: true, force: true });
      await env.close();
    }
  },
};
