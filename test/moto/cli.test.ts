/**
 * `ecs-jobs run/runs/resume --aws` as a user runs them, a real process against moto: the stack deployed from
 * the template's own resources, the CLI pointed at it by --stage (stack outputs) or the environment.
 */
import { spawn } from "node:child_process";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { DescribeTasksCommand, ECSClient } from "@aws-sdk/client-ecs";
import { CreateScheduleCommand, GetScheduleCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { beforeAll, describe, expect, it } from "vitest";
import { BIN, NODE, ROOT } from "../support/cli.ts";
import { createCluster, registerTaskDefinition } from "./support/ecs.ts";
import { MOTO_REGION, useMoto } from "./support/moto.ts";
import { type Deployed, deployStack } from "./support/stack.ts";

const moto = useMoto();
let deployed: Deployed;

beforeAll(async () => {
  deployed = await deployStack(moto, "prod");
  await createCluster(moto, "reports");
  // awslogs as the console proposes it, so `logs --aws` finds each container's stream in CloudWatch Logs.
  await registerTaskDefinition(moto, "report:7", ["app"], {
    containerDefinitions: [
      {
        name: "app",
        image: "busybox",
        memory: 128,
        essential: true,
        logConfiguration: {
          logDriver: "awslogs",
          options: {
            "awslogs-group": "/ecs/report",
            "awslogs-region": MOTO_REGION,
            "awslogs-stream-prefix": "ecs",
          },
        },
      },
    ],
  });
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
});

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

/** Issue 15's commands in AWS mode: what an operator does to a deployed job, against moto's services. */
describe("operating a deployed job against moto: pause, stop, logs", () => {
  type RunJson = { runId: string; status: string; tasks: { taskArn: string }[]; cancelledBy?: string };
  const json = <T>(text: string): T => JSON.parse(text) as T;

  it("pause disables the schedule and list --aws shows PAUSED with no next fire time; resume undoes it", async () => {
    const env = { ECS_JOBS_STAGE: "prod" };
    await ecsJobs(["resume", "nightly-report", "--aws"], env);
    const paused = await ecsJobs(["pause", "nightly-report", "--aws"], env);
    expect(paused.stderr).toBe("");
    expect(paused.code).toBe(0);
    expect(await scheduleState()).toBe("DISABLED");
    const again = await ecsJobs(["pause", "nightly-report", "--aws"], env);
    expect(again.code).toBe(0);
    const list = await ecsJobs(["list", "--aws", "--json"], env);
    expect(list.stderr).toBe("");
    const nightly = json<{ name: string; state: string; nextFireTimes: string[] }[]>(list.stdout).find(
      (j) => j.name === "nightly-report",
    );
    expect(nightly).toMatchObject({ state: "PAUSED", nextFireTimes: [] });
    await ecsJobs(["resume", "nightly-report", "--aws"], env);
    expect(await scheduleState()).toBe("ENABLED");
  });

  it("stop cancels a run: StopTask reaches ECS, the run is CANCELLED, a second stop is refused", async () => {
    const env = { ECS_JOBS_STAGE: "prod" };
    // nightly-report is concurrency: forbid: stop whatever an earlier test left running first.
    for (const r of json<RunJson[]>(
      (await ecsJobs(["runs", "nightly-report", "--aws", "--json"], env)).stdout,
    ))
      if (r.status === "PENDING" || r.status === "RUNNING") await ecsJobs(["stop", r.runId, "--aws"], env);
    const run = json<RunJson>((await ecsJobs(["run", "nightly-report", "--aws", "--json"], env)).stdout);
    expect(run.tasks).toHaveLength(1);
    const stopped = await ecsJobs(["stop", run.runId, "--aws", "--reason", "deploy freeze", "--json"], env);
    expect(stopped.stderr).toBe("");
    expect(json<RunJson>(stopped.stdout).status).toBe("CANCELLED");
    const ecs = new ECSClient({ ...moto.client, maxAttempts: 1 });
    const described = await ecs.send(
      new DescribeTasksCommand({ cluster: "reports", tasks: run.tasks.map((t) => t.taskArn) }),
    );
    ecs.destroy();
    expect(described.tasks?.map((t) => t.desiredStatus)).toEqual(["STOPPED"]);
    expect(described.tasks?.[0]?.stoppedReason).toContain("deploy freeze");
    const twice = await ecsJobs(["stop", run.runId, "--aws"], env);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain("CANCELLED");
  });

  it("logs reads the run's container stream from CloudWatch Logs, each line prefixed with task and container", async () => {
    const env = { ECS_JOBS_STAGE: "prod" };
    for (const r of json<RunJson[]>(
      (await ecsJobs(["runs", "nightly-report", "--aws", "--json"], env)).stdout,
    ))
      if (r.status === "PENDING" || r.status === "RUNNING") await ecsJobs(["stop", r.runId, "--aws"], env);
    const run = json<RunJson>((await ecsJobs(["run", "nightly-report", "--aws", "--json"], env)).stdout);
    const taskId = run.tasks[0]?.taskArn.split("/").at(-1) as string;
    const logs = new CloudWatchLogsClient({ ...moto.client, maxAttempts: 1 });
    await logs.send(new CreateLogGroupCommand({ logGroupName: "/ecs/report" })).catch(() => undefined);
    const logStreamName = `ecs/app/${taskId}`;
    await logs.send(new CreateLogStreamCommand({ logGroupName: "/ecs/report", logStreamName }));
    const now = Date.now();
    await logs.send(
      new PutLogEventsCommand({
        logGroupName: "/ecs/report",
        logStreamName,
        logEvents: [
          { timestamp: now, message: "report: reading sales" },
          { timestamp: now + 1, message: "report: 42 rows written" },
        ],
      }),
    );
    logs.destroy();
    const out = await ecsJobs(["logs", run.runId, "--aws"], env);
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    const lines = out.stdout.trim().split("\n");
    expect(lines).toEqual([
      expect.stringMatching(new RegExp(`^${taskId.slice(0, 8)}/app \\| report: reading sales$`)),
      expect.stringMatching(/app \| report: 42 rows written$/),
    ]);
  });
});

describe("rate schedules counted as Scheduler fires them", () => {
  it("next --aws and list --aws count rate(6 hours) from the schedule's LastModificationDate", async () => {
    const scheduler = new SchedulerClient({ ...moto.client, maxAttempts: 1 });
    await scheduler.send(
      new CreateScheduleCommand({
        Name: "cache-compaction",
        GroupName: deployed.scheduleGroup,
        ScheduleExpression: "rate(6 hours)",
        FlexibleTimeWindow: { Mode: "OFF" },
        Target: {
          Arn: "arn:aws:lambda:eu-west-1:123456789012:function:ecs-jobs-prod-schedule",
          RoleArn: "arn:aws:iam::123456789012:role/ecs-jobs-prod-eu-west-1-scheduler",
        },
      }),
    );
    const s = await scheduler.send(
      new GetScheduleCommand({ Name: "cache-compaction", GroupName: deployed.scheduleGroup }),
    );
    scheduler.destroy();
    const modified = (s.LastModificationDate as Date).getTime();
    const hours = (n: number) => modified + n * 3_600_000;
    const times = (ts: string[]) => ts.map((t) => new Date(t).getTime());
    // From 1 h after the schedule was made: its fires at 6, 12 and 18 h after it.
    const from = new Date(hours(1)).toISOString();
    const next = await ecsJobs([
      "next",
      "cache-compaction",
      "--stage",
      "prod",
      "-n",
      "3",
      "--json",
      "--from",
      from,
    ]);
    expect(next.stderr).toBe("");
    expect(times(JSON.parse(next.stdout) as string[])).toEqual([hours(6), hours(12), hours(18)]);
    const list = await ecsJobs(["list", "--stage", "prod", "--json"]);
    expect(list.stderr).toBe("");
    const job = (JSON.parse(list.stdout) as { name: string; nextFireTimes: string[] }[]).find(
      (j) => j.name === "cache-compaction",
    );
    expect(times(job?.nextFireTimes ?? [])).toEqual([hours(6)]);
  });
});
