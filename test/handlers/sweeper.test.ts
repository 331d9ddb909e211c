import { StopTaskCommand } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { createSweeperHandler } from "../../handlers/sweeper.ts";
import type { Deps } from "../../src/app/deps.ts";
import { lambdaContext } from "../launch/harness.ts";
import { fakeLaunch, launchedRun, mocks, runDeps, testJob, useRunMocks } from "../runs/harness.ts";

useRunMocks();

const invoke = (deps: Deps) => createSweeperHandler(async () => deps, fakeLaunch())({}, lambdaContext);

describe("sweeper handler (Lambda)", () => {
  it("sweeps and answers what it did", async () => {
    const deps = runDeps([testJob("policy:\n  timeoutMinutes: 15\n")], {
      now: new Date("2026-03-10T12:00:00Z"),
    });
    const run = launchedRun("report", {
      tasks: [
        {
          taskArn: "arn:aws:ecs:us-east-1:111122223333:task/reports/abc",
          lastStatus: "PENDING",
          containers: [],
        },
      ],
    });
    await deps.ledger.create(run);
    expect(await invoke(deps)).toEqual({
      continued: 0,
      interrupted: 0,
      reconciled: 0,
      timedOut: 1,
      missed: 0,
      slow: 0,
      endWork: 0,
      stopped: 0,
      missedFireTimes: 0,
      leftRuns: 0,
      leftJobs: 0,
      errors: 0,
    });
    expect(mocks.ecs).toHaveReceivedCommandWith(StopTaskCommand, {
      task: "arn:aws:ecs:us-east-1:111122223333:task/reports/abc",
      reason: "ecs-jobs: timed out after 15 minutes",
    });
  });

  it("fails the invocation when a step failed, after doing the others", async () => {
    const deps = runDeps([testJob("policy:\n  timeoutMinutes: 15\n")], {
      now: new Date("2026-03-10T12:00:00Z"),
    });
    await deps.ledger.create(launchedRun("report"));
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:4000"), { code: "ECONNREFUSED" });
    deps.ledger.finish = async () => {
      throw refused;
    };
    const failure = await invoke(deps).catch((e: unknown) => e);
    // Why, not only how many: the step and its error in the message, the error itself as the cause.
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(
      /^1 sweeper step\(s\) failed: run \S+: Error: connect ECONNREFUSED 127\.0\.0\.1:4000$/,
    );
    expect((failure as Error).cause).toBe(refused);
    // The step's own line carries the error object (the logger writes its code and stack), not a string.
    const step = deps.log.lines.find((l) => l.message === "sweeper step failed");
    expect(step?.extra[0]).toEqual({ where: expect.stringMatching(/^run /), error: refused });
  });
});
