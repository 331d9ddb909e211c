import { describe, expect, it } from "vitest";
import { createStatusHandler } from "../../handlers/status.ts";
import { onRetryDue } from "../../src/app/on-run-final.ts";
import { retryRunId } from "../../src/app/retry.ts";
import type { Run } from "../../src/runs/model.ts";
import { retryDelaySeconds } from "../../src/runs/retry-delay.ts";
import type { RetryDue } from "../../src/triggers/retry-due.ts";
import { sqsBatch } from "../support/events.ts";
import { applyEvent } from "../support/status-path.ts";
import {
  fakeLaunch,
  launchedRun,
  runDeps,
  runTaskEvents,
  sentAlerts,
  testJob,
  useRunMocks,
} from "./harness.ts";

useRunMocks();

const EXIT_1 = { containers: [{ name: "app", exitCode: 1 }] };
const delayedJob = (delaySeconds: number, concurrency = "allow") =>
  testJob(
    `policy:\n  concurrency: ${concurrency}\n  retries:\n    attempts: 3\n    on: ["exit:1"]\n    delaySeconds: ${delaySeconds}\n`,
  );

/** A retry timer that only records what it was asked. */
const recordingTimer = () => {
  const asked: { seconds: number; due: RetryDue }[] = [];
  return { asked, after: async (seconds: number, due: RetryDue) => void asked.push({ seconds, due }) };
};

describe("retry delay", () => {
  it("starts at about delaySeconds, doubles per attempt with jitter, and stops at 15 minutes", () => {
    // [random 0, random→1] bounds: half of the doubled delay up to all of it.
    expect([retryDelaySeconds(30, 1, 0), retryDelaySeconds(30, 1, 0.9999)]).toEqual([15, 30]);
    expect([retryDelaySeconds(30, 2, 0), retryDelaySeconds(30, 2, 0.9999)]).toEqual([30, 60]);
    expect([retryDelaySeconds(30, 3, 0), retryDelaySeconds(30, 3, 0.9999)]).toEqual([60, 120]);
    expect([retryDelaySeconds(600, 3, 0), retryDelaySeconds(600, 3, 0.9999)]).toEqual([450, 900]);
    expect(retryDelaySeconds(900, 10, 0.9999)).toBe(900);
    expect(retryDelaySeconds(0, 4, 0.5)).toBe(0);
  });

  it("hands a failed run's retry to the timer once, launching and alerting nothing meanwhile", async () => {
    const launch = fakeLaunch();
    const timer = recordingTimer();
    const job = delayedJob(30);
    const deps = { ...runDeps([job], { launch }), retryTimer: timer, random: () => 0.5 };
    const first = launchedRun("report");
    await deps.ledger.create(first);
    const events = runTaskEvents(first, 0, EXIT_1);
    for (const e of [...events, ...events]) await applyEvent(deps, e);

    expect((await deps.ledger.get(first.runId))?.status).toBe("FAILED");
    expect(timer.asked).toEqual([
      { seconds: 23, due: { type: "ecs-jobs.retry-due", runId: first.runId, job: "report" } },
    ]);
    expect(launch.calls).toEqual([]);
    expect(sentAlerts()).toEqual([]);
  });

  it("launches the next attempt when the retry is due, once however often it is delivered", async () => {
    const launch = fakeLaunch();
    const job = delayedJob(30);
    const deps = runDeps([job], { launch });
    const failed: Run = { ...launchedRun("report"), status: "FAILED", tasks: [] };
    await deps.ledger.create(failed);
    const due: RetryDue = { type: "ecs-jobs.retry-due", runId: failed.runId, job: "report" };
    await onRetryDue(deps, due);
    await onRetryDue(deps, due);
    expect(launch.calls.map((c) => [c.attempt, c.trigger.kind])).toEqual([
      [2, "retry"],
      [2, "retry"],
    ]);
    const next = await deps.ledger.get(retryRunId(job, failed));
    expect(next?.attempt).toBe(2);
    expect(await deps.ledger.listByJob("report")).toMatchObject({ runs: [{}, {}] });
  });

  it("reaches the status function as a queue message among task events", async () => {
    const launch = fakeLaunch();
    const job = delayedJob(30);
    const deps = runDeps([job], { launch });
    const failed: Run = { ...launchedRun("report"), status: "FAILED", tasks: [] };
    await deps.ledger.create(failed);
    const handler = createStatusHandler(async () => deps, launch);
    const answer = await handler(
      sqsBatch([
        { type: "ecs-jobs.retry-due", runId: failed.runId, job: "report" },
        { type: "ecs-jobs.retry-due" },
      ]),
      {} as never,
    );
    expect(answer).toEqual({ batchItemFailures: [] });
    expect(launch.calls).toHaveLength(1);
  });

  it("alerts the failure with the reason when the delayed attempt cannot be launched", async () => {
    const job = delayedJob(30);
    const skipped = async (d: Parameters<typeof onRetryDue>[0], req: { job: { name: string } }) => {
      const run: Run = {
        ...launchedRun(req.job.name, { runId: "20260310T120000Z-0000aaaa" }),
        status: "SKIPPED",
        hint: "run X still active",
      };
      await d.ledger.create(run);
      return run;
    };
    const deps = runDeps([job], { launch: skipped as never });
    const failed: Run = { ...launchedRun("report"), status: "FAILED", tasks: [] };
    await deps.ledger.create(failed);
    await onRetryDue(deps, { type: "ecs-jobs.retry-due", runId: failed.runId, job: "report" });
    const [alert] = sentAlerts();
    expect(alert?.detailType).toBe("ECS Job Run FAILED");
    expect(JSON.stringify(alert?.detail)).toContain("No retry: run X still active");
  });
});
