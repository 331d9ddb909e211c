import { RunTaskCommand, type RunTaskCommandInput } from "@aws-sdk/client-ecs";
import { PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { describe, expect, it } from "vitest";
import { REDACTED, redactSecrets } from "../../src/alerts/redact.ts";
import { matchRetryCondition, retryRunId } from "../../src/app/retry.ts";
import { ConflictError } from "../../src/errors.ts";
import { runTaskStartedBy } from "../../src/jobspec/requests.ts";
import type { Run } from "../../src/runs/model.ts";
import { awsError, placeAll } from "../launch/harness.ts";
import { applyEvent } from "../support/status-path.ts";
import {
  fakeLaunch,
  launchedRun,
  mocks,
  runDeps,
  runTaskEvents,
  sentAlerts,
  testJob,
  useRunMocks,
} from "./harness.ts";

useRunMocks();

const SPOT = {
  stopCode: "SpotInterruption",
  stoppedReason: "Your Spot Task was interrupted.",
  containers: [{ name: "app", exitCode: 143 }],
};
const retryJob = (attempts: number, on: string, alerts = "[FAILED, RECOVERED]") =>
  testJob(`policy:\n  retries:\n    attempts: ${attempts}\n    on: ${on}\nalerts:\n  on: ${alerts}\n`);

async function deliver(deps: ReturnType<typeof runDeps>, events: readonly unknown[]) {
  for (const e of events) await applyEvent(deps, e);
}

describe("a Spot interruption retried, then succeeding", () => {
  it("launches the second attempt once, sends no FAILED alert, and no RECOVERED for its own lineage", async () => {
    const launch = fakeLaunch();
    const job = retryJob(2, "[SpotInterruption]");
    const deps = runDeps([job], { launch });
    const first = launchedRun("report");
    await deps.ledger.create(first);
    const events = runTaskEvents(first, 0, SPOT);
    // Duplicated and concurrent deliveries of the same events.
    await deliver(deps, events);
    await Promise.all([...events, ...events].map((e) => applyEvent(deps, e)));

    expect((await deps.ledger.get(first.runId))?.status).toBe("FAILED");
    expect(launch.calls).toHaveLength(1);
    expect(launch.calls[0]).toMatchObject({
      attempt: 2,
      lineageId: first.runId,
      trigger: { kind: "retry", id: first.runId },
    });
    const second = await deps.ledger.get(retryRunId(job, (await deps.ledger.get(first.runId))!));
    expect(second).toMatchObject({ attempt: 2, lineageId: first.runId });

    await deliver(deps, runTaskEvents(second!, 1));
    expect((await deps.ledger.get(second!.runId))?.status).toBe("SUCCEEDED");
    expect(mocks.eventbridge).not.toHaveReceivedCommand(PutEventsCommand);
  });

  it("launches the next attempt through the real launcher: one RunTask, started by the new run", async () => {
    placeAll(mocks.ecs);
    const job = retryJob(1, "[SpotInterruption]");
    const deps = runDeps([job]);
    const first = launchedRun("report");
    await deps.ledger.create(first);
    const events = runTaskEvents(first, 0, SPOT);
    await deliver(deps, [...events, ...events]);

    const nextId = retryRunId(job, (await deps.ledger.get(first.runId))!);
    expect(mocks.ecs).toHaveReceivedCommandTimes(RunTaskCommand, 1);
    const input = mocks.ecs.commandCalls(RunTaskCommand)[0]?.args[0].input as RunTaskCommandInput;
    expect(input.startedBy).toBe(runTaskStartedBy("report", nextId));
    const next = await deps.ledger.get(nextId);
    expect(next).toMatchObject({ attempt: 2, lineageId: first.runId, status: "PENDING" });
    expect(next?.tasks).toHaveLength(1);
  });
});

describe("a retried run with overrides", () => {
  it("launches the next attempt with the same count, command and environment", async () => {
    placeAll(mocks.ecs);
    const job = retryJob(1, "[SpotInterruption]");
    const deps = runDeps([job]);
    const overrides = {
      count: 2,
      containers: { app: { command: ["run", "--fast"], environment: { TOKEN: "s3cr3t" } } },
    };
    const first = launchedRun("report", { overrides });
    await deps.ledger.create(first);
    await deliver(deps, runTaskEvents(first, 0, SPOT));

    const input = mocks.ecs.commandCalls(RunTaskCommand)[0]?.args[0].input as RunTaskCommandInput;
    expect(input.count).toBe(2);
    expect(input.overrides?.containerOverrides).toEqual([
      { name: "app", command: ["run", "--fast"], environment: [{ name: "TOKEN", value: "s3cr3t" }] },
    ]);
    const next = await deps.ledger.get(retryRunId(job, (await deps.ledger.get(first.runId))!));
    expect(next?.overrides).toEqual(overrides);
  });

  it("shows environment names but never their values", () => {
    const run = launchedRun("report", {
      overrides: { count: 2, containers: { app: { command: ["x"], environment: { TOKEN: "s3cr3t" } } } },
    });
    const shown = redactSecrets(run);
    expect(JSON.stringify(shown)).not.toContain("s3cr3t");
    expect(shown.overrides).toEqual({
      count: 2,
      containers: { app: { command: ["x"], environment: { TOKEN: REDACTED } } },
    });
    expect(run.overrides?.containers?.app?.environment?.TOKEN).toBe("s3cr3t");
  });
});

describe("when no attempt is left", () => {
  it("alerts the final attempt's failure, once", async () => {
    const launch = fakeLaunch();
    const job = retryJob(1, "[exit:3]");
    const deps = runDeps([job], { launch });
    const first = launchedRun("report");
    await deps.ledger.create(first);
    const fail = { containers: [{ name: "app", exitCode: 3 }] };
    await deliver(deps, runTaskEvents(first, 0, fail));
    const second = (await deps.ledger.get(retryRunId(job, (await deps.ledger.get(first.runId))!)))!;
    const events = runTaskEvents(second, 1, fail);
    await deliver(deps, [...events, ...events]);

    expect(launch.calls).toHaveLength(1);
    const alerts = sentAlerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.detail).toMatchObject({ runId: second.runId, attempt: 2, status: "FAILED" });
    expect(alerts[0]?.detail.summary).toMatch(/attempt 2/);
  });

  it("alerts at once when the failure does not match policy.retries.on", async () => {
    const launch = fakeLaunch();
    const deps = runDeps([retryJob(3, "[SpotInterruption]")], { launch });
    const run = launchedRun("report");
    await deps.ledger.create(run);
    await deliver(deps, runTaskEvents(run, 0, { containers: [{ name: "app", exitCode: 1 }] }));
    expect(launch.calls).toHaveLength(0);
    expect(sentAlerts()).toHaveLength(1);
  });

  it("alerts when the launcher refuses the attempt (concurrency), saying why", async () => {
    const launch = Object.assign(
      async () => {
        throw new ConflictError("another run is active");
      },
      { calls: [] },
    );
    const deps = runDeps([retryJob(1, "[SpotInterruption]")], { launch });
    const run = launchedRun("report");
    await deps.ledger.create(run);
    await deliver(deps, runTaskEvents(run, 0, SPOT));
    expect(sentAlerts()[0]?.detail.summary).toMatch(/No retry: another run is active/);
  });

  it("retries the launch itself when it failed for a transient reason, launching once", async () => {
    const calls: unknown[] = [];
    const inner = fakeLaunch();
    let failNext = true;
    const launch = async (d: Parameters<typeof inner>[0], r: Parameters<typeof inner>[1]): Promise<Run> => {
      calls.push(r);
      if (failNext) {
        failNext = false;
        throw awsError("ThrottlingException", 400);
      }
      return inner(d, r);
    };
    const deps = runDeps([retryJob(1, "[SpotInterruption]")], { launch });
    const run = launchedRun("report");
    await deps.ledger.create(run);
    const events = runTaskEvents(run, 0, SPOT);
    await deliver(deps, events.slice(0, -1));
    const last = events[events.length - 1];
    await expect(applyEvent(deps, last)).rejects.toThrow(/ThrottlingException/);
    await applyEvent(deps, last);
    await applyEvent(deps, last);
    expect(calls).toHaveLength(2);
    expect(inner.calls).toHaveLength(1);
    expect(sentAlerts()).toHaveLength(0);
  });
});

describe("matchRetryCondition", () => {
  const failed = (o: Partial<Run> = {}): Run => ({ ...launchedRun("report"), status: "FAILED", ...o });
  const task = (o: Partial<Run["tasks"][number]>) => ({
    taskArn: "arn:aws:ecs:x",
    lastStatus: "STOPPED",
    containers: [],
    ...o,
  });

  it("matches stop codes, essential exit codes, reason globs and TimedOut", () => {
    const pull = failed({
      tasks: [
        task({ stopCode: "TaskFailedToStart", stoppedReason: "CannotPullContainerError: ref not found" }),
      ],
    });
    expect(matchRetryCondition(pull, ["TaskFailedToStart"])).toBe("TaskFailedToStart");
    expect(matchRetryCondition(pull, ["reason:CannotPullContainerError*"])).toBe(
      "reason:CannotPullContainerError*",
    );
    expect(matchRetryCondition(pull, ["reason:*not found"])).toBe("reason:*not found");
    expect(matchRetryCondition(pull, ["reason:CannotPullContainerError"])).toBeUndefined();
    expect(matchRetryCondition(pull, ["reason:Cannot.ull*"])).toBeUndefined();

    const oom = failed({
      tasks: [
        task({
          containers: [
            { name: "app", exitCode: 137, essential: true },
            { name: "sidecar", exitCode: 1, essential: false },
          ],
        }),
      ],
    });
    expect(matchRetryCondition(oom, ["exit:1", "exit:137"])).toBe("exit:137");
    expect(matchRetryCondition(oom, ["exit:1"])).toBeUndefined();

    const capacity = failed({ failures: [{ reason: "RESOURCE:MEMORY" }] });
    expect(matchRetryCondition(capacity, ["reason:RESOURCE:*"])).toBe("reason:RESOURCE:*");

    expect(matchRetryCondition(failed({ status: "TIMED_OUT" }), ["TimedOut"])).toBe("TimedOut");
    expect(matchRetryCondition(failed(), ["TimedOut"])).toBeUndefined();
    expect(matchRetryCondition({ ...oom, status: "SUCCEEDED" }, ["exit:137"])).toBeUndefined();
    expect(matchRetryCondition({ ...oom, status: "MISSED" }, ["exit:137"])).toBeUndefined();
  });
});
