import { GetScheduleCommand, UpdateScheduleCommand } from "@aws-sdk/client-scheduler";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { formatDuration, registerRuns } from "../../src/cli/commands/runs.ts";
import { registerResume } from "../../src/cli/commands/schedule-switch.ts";
import type { CliIo } from "../../src/cli/context.ts";
import type { Run } from "../../src/runs/model.ts";
import { exampleJob, ROOT } from "../launch/harness.ts";
import { taskArnFor } from "../support/events.ts";
import { launchedRun, mocks, NOW, runDeps, scheduleOutput, testJob, useRunMocks } from "./harness.ts";

useRunMocks();

async function cli(argv: string[], deps: ReturnType<typeof runDeps>) {
  let stdout = "";
  const io: CliIo = {
    stdout: (t) => {
      stdout += t;
    },
    stderr: () => {},
    cwd: ROOT,
    env: {},
  };
  const asked: unknown[] = [];
  const makeDeps = async (_io: CliIo, opts: unknown) => {
    asked.push(opts);
    return deps;
  };
  const program = new Command().exitOverride();
  registerRuns(program, io, () => NOW, makeDeps);
  registerResume(program, io, () => NOW, makeDeps);
  await program.parseAsync(argv, { from: "user" });
  return { stdout, asked };
}

const finished = (i: number, o: Partial<Run>): Run =>
  launchedRun(o.job ?? "report", {
    runId: `20260310T10000${i}Z-0000000${i}`,
    createdAt: `2026-03-10T10:00:0${i}.000Z`,
    ...o,
  });

async function history() {
  const deps = runDeps([testJob()]);
  await deps.ledger.create(
    finished(1, {
      status: "SUCCEEDED",
      startedAt: "2026-03-10T10:00:30.000Z",
      stoppedAt: "2026-03-10T10:05:00.000Z",
      cost: {
        vcpuSeconds: 270,
        gbSeconds: 540,
        usd: 0.0042,
        pricing: { source: "estimate", region: "us-east-1", asOf: "2025-01" },
      },
      tasks: [
        {
          taskArn: taskArnFor(1),
          lastStatus: "STOPPED",
          started: true,
          containers: [{ name: "app", exitCode: 0 }],
        },
      ],
    }),
  );
  await deps.ledger.create(
    finished(2, {
      status: "FAILED",
      attempt: 2,
      startedAt: "2026-03-10T10:00:30.000Z",
      stoppedAt: "2026-03-10T11:30:30.000Z",
      cost: {
        vcpuSeconds: 5400.4,
        gbSeconds: 10800,
        pricing: { source: "estimate", region: "sa-east-1", asOf: "2025-01", note: "no price" },
      },
      tasks: [
        {
          taskArn: taskArnFor(2),
          lastStatus: "STOPPED",
          started: true,
          stopCode: "EssentialContainerExited",
          stoppedReason: "Essential container in task exited",
          containers: [
            { name: "app", exitCode: 137 },
            { name: "sidecar", exitCode: 0 },
          ],
        },
      ],
    }),
  );
  await deps.ledger.create(
    finished(3, { job: "other", status: "RUNNING", startedAt: "2026-03-10T11:59:00.000Z" }),
  );
  return deps;
}

describe("ecs-jobs runs", () => {
  it("prints recent runs newest first with status, duration, cost, exit codes and stop reason", async () => {
    const { stdout } = await cli(["runs"], await history());
    const lines = stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(
      /^RUN\s+JOB\s+STATUS\s+CREATED\s+DURATION\s+COST \(EST\.\)\s+EXIT CODES\s+STOP REASON$/,
    );
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(
      /^20260310T100003Z-00000003\s+other\s+RUNNING\s+2026-03-10T10:00:03Z\s+1m00s\+\s+-\s+-\s+-$/,
    );
    expect(lines[2]).toMatch(
      /report\s+FAILED \(attempt 2\)\s+.*1h30m\s+5400 vCPU-s\s+app=137 sidecar=0\s+EssentialContainerExited: Essential container in task exited$/,
    );
    expect(lines[3]).toMatch(/report\s+SUCCEEDED\s+.*4m30s\s+~\$0\.0042\s+app=0\s+-$/);
  });

  it("filters by job, limits, and prints JSON", async () => {
    const deps = await history();
    const { stdout, asked } = await cli(["runs", "report", "--limit", "1", "--json", "--aws"], deps);
    const runs = JSON.parse(stdout) as Run[];
    expect(runs.map((r) => r.runId)).toEqual(["20260310T100002Z-00000002"]);
    expect(runs[0]?.cost).toMatchObject({ vcpuSeconds: 5400.4, pricing: { source: "estimate" } });
    expect(asked).toEqual([{ aws: true, target: {}, jobsDir: "jobs", now: expect.any(Function) }]);
    expect((await cli(["runs", "nothing"], deps)).stdout).toBe("no runs of nothing\n");
  });

  it("formats durations", () => {
    expect([59_400, 61_000, 3_600_000 + 5 * 60_000].map(formatDuration)).toEqual(["59s", "1m01s", "1h05m"]);
  });
});

describe("ecs-jobs resume", () => {
  it("enables the paused schedule of the job", async () => {
    mocks.scheduler
      .on(GetScheduleCommand)
      .resolves({ ...scheduleOutput("DISABLED"), Name: "nightly-report" });
    const deps = runDeps([exampleJob("nightly-report")]);
    const { stdout } = await cli(["resume", "nightly-report"], deps);
    expect(stdout).toBe("resumed nightly-report: its schedule is enabled again\n");
    expect(mocks.scheduler).toHaveReceivedCommandWith(UpdateScheduleCommand, {
      Name: "nightly-report",
      State: "ENABLED",
    });
    mocks.scheduler.on(GetScheduleCommand).resolves({ ...scheduleOutput("ENABLED"), Name: "nightly-report" });
    expect((await cli(["resume", "nightly-report", "--json"], deps)).stdout).toContain('"changed": false');
  });
});
