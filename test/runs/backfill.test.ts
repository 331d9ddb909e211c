import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { launchBackfill, planBackfill } from "../../src/app/backfill.ts";
import { missedRun } from "../../src/app/missed.ts";
import { registerBackfill } from "../../src/cli/commands/backfill.ts";
import { CliExit, type CliIo } from "../../src/cli/context.ts";
import type { Run } from "../../src/runs/model.ts";
import { runIdFor } from "../../src/runs/run-id.ts";
import { FARGATE_JOB } from "../support/spec.ts";
import { fakeLaunch, launchedRun, NOW, runDeps, testJob, useRunMocks } from "./harness.ts";

useRunMocks();

const HOURLY = "schedule:\n  expression: cron(0 * * * ? *)\n";
const at = (iso: string) => new Date(iso);

/** A run Scheduler delivered for `time`. */
const fired = (time: string): Run =>
  launchedRun("report", {
    runId: runIdFor("report", { kind: "schedule", id: `exec-${time}`, scheduledTime: time }, at(time)),
    trigger: { kind: "schedule", id: `exec-${time}`, scheduledTime: time },
    createdAt: time,
    status: "SUCCEEDED",
  });

async function history(extra = "") {
  const job = testJob(HOURLY + extra);
  const launch = fakeLaunch();
  const deps = runDeps([job], { launch });
  await deps.ledger.create(fired("2026-03-10T09:00:00Z"));
  await deps.ledger.create(missedRun(job, at("2026-03-10T10:00:00Z"), at("2026-03-10T10:15:00Z")));
  return { job, deps, launch };
}

async function cli(argv: string[], deps: ReturnType<typeof runDeps>, extra = "") {
  const dir = mkdtempSync(join(tmpdir(), "ecs-jobs-backfill-"));
  writeFileSync(join(dir, "report.yml"), `${FARGATE_JOB}${HOURLY}${extra}`);
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    cwd: dir,
    env: {},
  };
  const program = new Command().exitOverride();
  registerBackfill(
    program,
    io,
    () => NOW,
    async () => deps,
  );
  let exit = 0;
  try {
    await program.parseAsync([...argv, "--jobs", dir], { from: "user" });
  } catch (error) {
    if (!(error instanceof CliExit)) throw error;
    exit = error.exitCode;
    stderr += error.message;
  }
  return { stdout, stderr, exit };
}

describe("backfill", () => {
  it("plans a run for each fire time without one, a MISSED record counting as none", async () => {
    const { job, deps } = await history();
    const plan = await planBackfill(deps, job, {
      from: at("2026-03-10T09:00:00Z"),
      to: at("2026-03-10T11:00:00Z"),
    });
    expect(plan.fireTimes.map((f) => [f.scheduledTime, f.launch])).toEqual([
      ["2026-03-10T09:00:00.000Z", false],
      ["2026-03-10T10:00:00.000Z", true],
      ["2026-03-10T11:00:00.000Z", true],
    ]);
    expect(plan.fireTimes[0]?.runId).toBe(fired("2026-03-10T09:00:00Z").runId);
  });

  it("--dry-run prints the plan and launches nothing", async () => {
    const { deps, launch } = await history();
    const out = await cli(
      ["backfill", "report", "--from", "2026-03-10T09:00:00Z", "--to", "2026-03-10T11:00:00Z", "--dry-run"],
      deps,
    );
    expect(out.exit).toBe(0);
    expect(out.stdout).toContain("3 fire time(s)");
    expect(out.stdout).toMatch(/2026-03-10T10:00:00.000Z {2}would launch/);
    expect(out.stdout).toMatch(/2026-03-10T09:00:00.000Z {2}has run/);
    expect(launch.calls).toEqual([]);
  });

  it("launches each missing fire time once, as a backfill; repeating it launches nothing", async () => {
    const { deps, launch } = await history();
    const argv = ["backfill", "report", "--from", "2026-03-10T09:00:00Z", "--to", "2026-03-10T11:00:00Z"];
    const first = await cli(argv, deps);
    expect(first.exit).toBe(0);
    expect(launch.calls.map((c) => [c.trigger.kind, c.trigger.scheduledTime])).toEqual([
      ["backfill", "2026-03-10T10:00:00.000Z"],
      ["backfill", "2026-03-10T11:00:00.000Z"],
    ]);
    const again = await cli(argv, deps);
    expect(again.stdout).toContain("0 without a run");
    expect(launch.calls).toHaveLength(2);
  });

  it("refuses a date that is not on the calendar, and a job without a schedule", async () => {
    const { deps } = await history();
    const bad = await cli(
      ["backfill", "report", "--from", "2026-02-30T00:00:00Z", "--to", "2026-03-01T00:00:00Z"],
      deps,
    );
    expect(bad.exit).toBe(2);
    expect(bad.stderr).toContain("2026-02-30 is not a date (February 2026 has 28 days)");
    const unscheduled = testJob("");
    await expect(
      planBackfill(deps, unscheduled, { from: at("2026-03-10T09:00:00Z"), to: NOW }),
    ).rejects.toThrow("job report has no schedule to backfill");
  });

  it("with concurrency forbid, launches one at a time, after the active run of the job ends", async () => {
    const { job, deps, launch } = await history("policy:\n  concurrency: forbid\n");
    const active = launchedRun("report", {
      runId: "20260310T113000Z-0000abcd",
      trigger: { kind: "cli", id: "x" },
    });
    await deps.ledger.create(active);
    const order: string[] = [];
    const plan = await planBackfill(deps, job, {
      from: at("2026-03-10T09:00:00Z"),
      to: at("2026-03-10T11:00:00Z"),
    });
    await launchBackfill(deps, job, plan, {
      onLaunched: (run) => order.push(`launch ${run.trigger.scheduledTime}`),
      waitFor: async (run) => {
        order.push(`wait ${run.runId === active.runId ? "active" : run.trigger.scheduledTime}`);
        return (await deps.ledger.finish(run.runId, "SUCCEEDED")).run;
      },
    });
    expect(order).toEqual([
      "wait active",
      "launch 2026-03-10T10:00:00.000Z",
      "wait 2026-03-10T10:00:00.000Z",
      "launch 2026-03-10T11:00:00.000Z",
      "wait 2026-03-10T11:00:00.000Z",
    ]);
    expect(launch.calls).toHaveLength(2);
  });
});
