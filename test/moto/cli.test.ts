/**
 * `ecs-jobs run/runs/resume --aws` as a user runs them, a real process against moto: the stack deployed from
 * the template's own resources, the CLI pointed at it by --stage (stack outputs) or the environment.
 */
import { spawn } from "node:child_process";
import { CreateScheduleCommand, GetScheduleCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { beforeAll, describe, expect, it } from "vitest";
import { BIN, NODE, ROOT } from "../support/cli.ts";
import { createCluster, registerTaskDefinition } from "./support/ecs.ts";
import { useMoto } from "./support/moto.ts";
import { type Deployed, deployStack } from "./support/stack.ts";

const moto = useMoto();
let deployed: Deployed;

beforeAll(async () => {
  deployed = await deployStack(moto, "prod");
  await createCluster(moto, "reports");
  await registerTaskDefinition(moto, "report:7");
  const scheduler = new SchedulerClient({ ...moto.client, maxAttempts: 1 });
  await scheduler.send(
    new CreateScheduleCommand({
      Name: "nightly-report",
      GroupName: deployed.scheduleGroup,
      ScheduleExpression: "cron(0 3 * * ? *)",
      ScheduleExpressionTimezone: "Europe/Paris",
      FlexibleTimeWindow: { Mode: "OFF" },
      State: "DISABLED",
      Target: {
        Arn: "arn:aws:lambda:eu-west-1:123456789012:function:ecs-jobs-prod-schedule",
        RoleArn: "arn:aws:iam::123456789012:role/ecs-jobs-prod-eu-west-1-scheduler",
      },
    }),
  );
  scheduler.destroy();
}, 60_000);

/** The CLI as a process: the SDK finds moto through AWS_ENDPOINT_URL, as it would any endpoint override. */
function ecsJobs(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
    const child = spawn(NODE, [BIN, ...args], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        ECS_JOBS_CLI: "sources",
        ...moto.env,
        ...env,
      },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    child.on("close", (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

const scheduleState = async () => {
  const scheduler = new SchedulerClient({ ...moto.client, maxAttempts: 1 });
  const s = await scheduler.send(
    new GetScheduleCommand({ Name: "nightly-report", GroupName: deployed.scheduleGroup }),
  );
  scheduler.destroy();
  return s.State;
};

describe("ecs-jobs --aws against moto", () => {
  it("resume finds the deployed stage's schedule group (ECS_JOBS_STAGE), not a group named ecs-jobs", async () => {
    const out = await ecsJobs(["resume", "nightly-report", "--aws"], { ECS_JOBS_STAGE: "prod" });
    expect(out.stderr).toBe("");
    expect(out.stdout).toContain("resumed nightly-report");
    expect(out.code).toBe(0);
    expect(await scheduleState()).toBe("ENABLED");
  });

  it("--stage reads the table and the group from the stack's outputs", async () => {
    const resumed = await ecsJobs(["resume", "nightly-report", "--stage", "prod"]);
    expect(resumed.stdout).toContain("nightly-report was not paused");
    const run = await ecsJobs(["run", "nightly-report", "--stage", "prod", "--json"]);
    expect(run.stderr).toBe("");
    const launched = JSON.parse(run.stdout) as { runId: string; status: string; tasks: unknown[] };
    expect(launched.tasks).toHaveLength(1);
    const runs = await ecsJobs(["runs", "--stage", "prod"]);
    expect(runs.stdout).toContain(launched.runId);
    expect(runs.code).toBe(0);
  });

  it("a table that does not exist is named, with how to point elsewhere, and no stack trace", async () => {
    const out = await ecsJobs(["runs", "--aws"]);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain("run table ecs-jobs-dev-runs does not exist");
    expect(out.stderr).toContain("ECS_JOBS_STAGE is unset");
    expect(out.stderr).toContain("--stage");
    expect(out.stderr).not.toMatch(/unexpected error|\n\s+at /);
  });

  it("a stage that was never deployed is named with its stack and region", async () => {
    const out = await ecsJobs(["runs", "--stage", "nope"]);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain("stack ecs-jobs-nope (from --stage nope) not found in region eu-west-1");
    expect(out.stderr).not.toMatch(/unexpected error|\n\s+at /);
  });

  it("a schedule missing from the group says which group, and where that name came from", async () => {
    const out = await ecsJobs(["resume", "nightly-report", "--aws"], { ECS_JOBS_STAGE: "staging" });
    expect(out.code).toBe(1);
    expect(out.stderr).toContain("schedule nightly-report in group ecs-jobs-staging not found");
    expect(out.stderr).toContain("ECS_JOBS_STAGE=staging");
  });
});
