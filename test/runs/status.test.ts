import { GetLogEventsCommand, ResourceNotFoundException } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { PublishCommand } from "@aws-sdk/client-sns";
import { describe, expect, it } from "vitest";
import { createMemoryLedger } from "../../gen/memory-ledger.ts";
import { loadTaskFixture } from "../support/events.ts";
import { applyEvent } from "../support/status-path.ts";
import {
  LOG_GROUP,
  LOG_LINES,
  launchedRun,
  mocks,
  runDeps,
  runTaskEvents,
  sentAlerts,
  testJob,
  useRunMocks,
} from "./harness.ts";

const TOPIC = "arn:aws:sns:us-east-1:111122223333:ops";
const PULL_REASON =
  "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref docker.io/acme/report:7: docker.io/acme/report:7: not found";

useRunMocks();

async function deliver(deps: ReturnType<typeof runDeps>, events: readonly unknown[]) {
  const outcomes = [];
  for (const e of events) outcomes.push(await applyEvent(deps, e));
  return outcomes;
}

describe("a task that never starts: PENDING → STOPPED with CannotPullContainerError", () => {
  const job = testJob(`alerts:\n  snsTopicArn: ${TOPIC}\n`);
  const run = launchedRun("report");
  const events = runTaskEvents(run, 0, {
    stopCode: "TaskFailedToStart",
    stoppedReason: PULL_REASON,
    containers: [{ name: "app", reason: PULL_REASON }],
  });

  it("ends FAILED with the pull hint and exactly one alert, however often the events come", async () => {
    const deps = runDeps([job]);
    await deps.ledger.create(run);
    expect(events.map((e) => e.detail.lastStatus)).toEqual(["PROVISIONING", "PENDING", "STOPPED"]);

    expect(await deliver(deps, events)).toEqual(["applied", "applied", "applied"]);
    expect(await deliver(deps, [...events].reverse())).toEqual(["unchanged", "unchanged", "unchanged"]);

    const stored = await deps.ledger.get(run.runId);
    expect(stored?.status).toBe("FAILED");
    expect(stored?.tasks[0]).toMatchObject({
      started: false,
      stopCode: "TaskFailedToStart",
      lastStatus: "STOPPED",
    });
    expect(stored?.hint).toMatch(/repository or tag does not exist/);

    expect(mocks.eventbridge).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    expect(mocks.sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    const [alert] = sentAlerts();
    expect(alert?.detailType).toBe("ECS Job Run FAILED");
    expect(alert?.detail).toMatchObject({
      kind: "FAILED",
      runId: run.runId,
      job: "report",
      status: "FAILED",
    });
    expect(alert?.detail.hint).toBe(stored?.hint);
  });

  it("links the failed container's log stream and carries its last 20 lines", async () => {
    const deps = runDeps([job]);
    await deps.ledger.create(run);
    await deliver(deps, events);

    const taskId = events[0]!.detail.taskArn.split("/").pop();
    expect(mocks.ecs).toHaveReceivedCommandWith(DescribeTaskDefinitionCommand, {
      taskDefinition: "report:7",
    });
    expect(mocks.logs).toHaveReceivedCommandWith(GetLogEventsCommand, {
      logGroupName: LOG_GROUP,
      logStreamName: `ecs/app/${taskId}`,
      startFromHead: false,
      limit: 20,
    });
    const logs = sentAlerts()[0]?.detail.logs as Record<string, unknown>;
    expect(logs).toMatchObject({ container: "app", group: LOG_GROUP, stream: `ecs/app/${taskId}` });
    expect(logs.streamUrl).toBe(
      `https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#logsV2:log-groups/log-group/$252Fecs$252Freport/log-events/ecs$252Fapp$252F${taskId}`,
    );
    expect(logs.lastLines).toEqual(LOG_LINES);

    const sns = mocks.sns.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(sns?.TopicArn).toBe(TOPIC);
    expect(sns?.Subject?.length).toBeLessThan(100);
    expect(sns?.Subject).toContain("FAILED");
    expect(sns?.Message).toContain(String(logs.streamUrl));
    expect(sns?.Message).toContain("line 20");
  });
});

describe("a container that never started, so never wrote a log stream", () => {
  it("still links the stream, with no lines, and logs that as expected rather than a warning", async () => {
    const job = testJob(`alerts: { on: [FAILED] }\n`);
    const run = launchedRun("report");
    const deps = runDeps([job]);
    await deps.ledger.create(run);
    const missing = new ResourceNotFoundException({
      message: "The specified log stream does not exist.",
      $metadata: {},
    });
    mocks.logs.on(GetLogEventsCommand).rejects(missing);
    await deliver(
      deps,
      runTaskEvents(run, 0, {
        stopCode: "TaskFailedToStart",
        containers: [{ name: "app", reason: "CannotPullContainerError: pull access denied" }],
      }),
    );
    const logs = sentAlerts()[0]?.detail.logs as Record<string, unknown>;
    expect(logs).toMatchObject({ container: "app", lastLines: [] });
    expect(deps.log.lines.filter((l) => l.level === "warn")).toEqual([]);
    expect(deps.log.lines.some((l) => l.level === "info" && /never started/.test(l.message))).toBe(true);

    mocks.logs
      .on(GetLogEventsCommand)
      .rejects(Object.assign(new Error("no"), { name: "AccessDeniedException" }));
    const other = launchedRun("report", { runId: `${run.runId.slice(0, -1)}x` });
    await deps.ledger.create(other);
    await deliver(
      deps,
      runTaskEvents(other, 0, {
        stopCode: "TaskFailedToStart",
        containers: [{ name: "app", reason: "CannotPullContainerError: pull access denied" }],
      }),
    );
    expect(deps.log.lines.some((l) => l.level === "warn" && /last log lines/.test(l.message))).toBe(true);
  });
});

describe("a container that ran, when its log group or stream does not exist", () => {
  const notFound = (message: string) => new ResourceNotFoundException({ message, $metadata: {} });

  it.each([
    ["The specified log group does not exist.", /log group \/ecs\/report does not exist/],
    ["The specified log stream does not exist.", /exited 1 but wrote no log stream/],
  ])("%s: warns so, never that the container never started", async (message, expected) => {
    const job = testJob(`alerts: { on: [FAILED] }\n`);
    const run = launchedRun("report");
    const deps = runDeps([job]);
    await deps.ledger.create(run);
    mocks.logs.on(GetLogEventsCommand).rejects(notFound(message));
    await deliver(deps, runTaskEvents(run, 0, { containers: [{ name: "app", exitCode: 1 }] }));
    expect(sentAlerts()[0]?.detail.logs).toMatchObject({ container: "app", lastLines: [] });
    expect(deps.log.lines.some((l) => /never started/.test(l.message))).toBe(false);
    const warnings = deps.log.lines.filter((l) => l.level === "warn");
    expect(warnings.map((l) => `${l.message} ${JSON.stringify(l)}`).join("\n")).toMatch(expected);
  });
});

describe("an essential container and a sidecar", () => {
  const job = testJob();

  it("is FAILED when the essential container exits 1 while the sidecar exits 0", async () => {
    const deps = runDeps([job]);
    const run = launchedRun("report");
    await deps.ledger.create(run);
    const events = runTaskEvents(run, 0, {
      containers: [
        { name: "app", exitCode: 1 },
        { name: "sidecar", exitCode: 0 },
      ],
    });
    await deliver(deps, events);
    const stored = await deps.ledger.get(run.runId);
    expect(stored?.status).toBe("FAILED");
    expect(stored?.hint).toContain('Container "app" exited with code 1');
    const logs = sentAlerts()[0]?.detail.logs as { container: string };
    expect(logs.container).toBe("app");
  });

  it("is SUCCEEDED when only the non-essential sidecar fails (flags recorded by the launcher)", async () => {
    const deps = runDeps([job]);
    const run = launchedRun("report");
    await deps.ledger.create(run);
    const events = runTaskEvents(run, 0, {
      containers: [
        { name: "app", exitCode: 0 },
        { name: "sidecar", exitCode: 1 },
      ],
    });
    await deps.ledger.recordLaunch(run.runId, {
      tasks: [
        {
          taskArn: events[0]!.detail.taskArn,
          lastStatus: "PROVISIONING",
          containers: [
            { name: "app", essential: true },
            { name: "sidecar", essential: false },
          ],
        },
      ],
      failures: [],
    });
    await deliver(deps, events);
    expect((await deps.ledger.get(run.runId))?.status).toBe("SUCCEEDED");
    expect(mocks.eventbridge).not.toHaveReceivedCommand(PutEventsCommand);
  });
});

describe("events the handler must not act on", () => {
  const job = testJob();

  it("ignores tasks this system did not start", async () => {
    const deps = runDeps([job]);
    const run = launchedRun("report");
    await deps.ledger.create(run);
    const service = runTaskEvents(run, 0, { startedBy: "ecs-svc/1234567890" });
    const bare = loadTaskFixture();
    delete bare.detail.startedBy;
    expect(await deliver(deps, [...service, bare])).toEqual([
      "foreign",
      "foreign",
      "foreign",
      "foreign",
      "foreign",
    ]);
    expect(await deps.ledger.get(run.runId)).toEqual(run);
  });

  it("drops malformed events with a warning naming the field, without throwing", async () => {
    const deps = runDeps([job]);
    const good = runTaskEvents(launchedRun("report"), 0)[0]!;
    const badVersion = { ...good, detail: { ...good.detail, version: "3" } };
    for (const bad of [
      null,
      {},
      "text",
      badVersion,
      { ...good, "detail-type": "ECS Container Instance State Change" },
    ])
      expect(await applyEvent(deps, bad)).toBe("invalid");
    const warning = deps.log.lines.find(
      (l) => l.level === "warn" && l.extra.some((x) => JSON.stringify(x).includes("detail.version")),
    );
    expect(warning?.message).toMatch(/malformed/);
  });

  it("drops an event of a run the ledger does not have", async () => {
    const deps = runDeps([job]);
    const events = runTaskEvents(launchedRun("report"), 0);
    expect(await applyEvent(deps, events[0])).toBe("unknown-run");
    expect(deps.ledger.runs.size).toBe(0);
    expect(deps.log.lines.some((l) => l.level === "warn" && /does not have/.test(l.message))).toBe(true);
  });

  it("keeps the newer state when an older event arrives late, and ignores duplicates", async () => {
    const deps = runDeps([job]);
    const run = launchedRun("report");
    await deps.ledger.create(run);
    const [provisioning, pending, running] = runTaskEvents(run, 0);
    await deliver(deps, [running]);
    const after = await deps.ledger.get(run.runId);
    expect(after?.status).toBe("RUNNING");
    expect(await deliver(deps, [pending, provisioning, running])).toEqual([
      "unchanged",
      "unchanged",
      "unchanged",
    ]);
    expect(await deps.ledger.get(run.runId)).toEqual(after);
  });
});

describe("alert delivery", () => {
  it("does not lose an alert to a throttled PutEvents: the retried delivery sends it, once", async () => {
    const deps = runDeps([testJob()]);
    const run = launchedRun("report");
    await deps.ledger.create(run);
    const events = runTaskEvents(run, 0, { containers: [{ name: "app", exitCode: 2 }] });
    mocks.eventbridge
      .on(PutEventsCommand)
      .rejectsOnce(Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" }))
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: "e" }] });
    await deliver(deps, events.slice(0, -1));
    const last = events[events.length - 1];
    await expect(applyEvent(deps, last)).rejects.toThrow(/Rate exceeded/);
    // Lambda retries the invocation with the same event: now a duplicate, but the alert is still owed.
    expect(await applyEvent(deps, last)).toBe("unchanged");
    expect(await applyEvent(deps, last)).toBe("unchanged");
    expect(mocks.eventbridge).toHaveReceivedCommandTimes(PutEventsCommand, 2);
    expect(sentAlerts().map((a) => a.detailType)).toEqual(["ECS Job Run FAILED", "ECS Job Run FAILED"]);
  });

  it("treats a refused PutEvents entry as a failure to retry", async () => {
    const deps = runDeps([testJob()]);
    const run = launchedRun("report");
    await deps.ledger.create(run);
    mocks.eventbridge
      .on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 1,
        Entries: [{ ErrorCode: "InternalFailure", ErrorMessage: "try again" }],
      })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: "e" }] });
    const events = runTaskEvents(run, 0, { containers: [{ name: "app", exitCode: 2 }] });
    await expect(deliver(deps, events)).rejects.toThrow(/InternalFailure/);
    await deliver(deps, events);
    // The EventBridge channel of the FAILED alert is claimed: another instance cannot claim it.
    const other = createMemoryLedger(deps.ledger.storage);
    expect(await other.claimChannels(run.runId, "FAILED", ["eventbridge"])).toEqual([]);
    expect(mocks.eventbridge).toHaveReceivedCommandTimes(PutEventsCommand, 2);
  });

  it("sends nothing for an outcome the job does not list in alerts.on", async () => {
    const deps = runDeps([testJob("alerts:\n  on: [TIMED_OUT]\n")]);
    const run = launchedRun("report");
    await deps.ledger.create(run);
    await deliver(deps, runTaskEvents(run, 0, { containers: [{ name: "app", exitCode: 2 }] }));
    expect((await deps.ledger.get(run.runId))?.status).toBe("FAILED");
    expect(mocks.eventbridge).not.toHaveReceivedCommand(PutEventsCommand);
  });

  it("never shows environment variable values, only their names", async () => {
    const deps = runDeps([testJob(`alerts:\n  snsTopicArn: ${TOPIC}\n`)]);
    const run = {
      ...launchedRun("report"),
      overrides: { containers: { app: { environment: { API_TOKEN: "s3cr3t-value" } } } },
    };
    await deps.ledger.create(run);
    await deliver(deps, runTaskEvents(run, 0, { containers: [{ name: "app", exitCode: 2 }] }));
    const entry = mocks.eventbridge.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0];
    const message = mocks.sns.commandCalls(PublishCommand)[0]?.args[0].input.Message;
    expect(entry?.Detail).toContain("API_TOKEN");
    expect(entry?.Detail).not.toContain("s3cr3t-value");
    expect(message).not.toContain("s3cr3t-value");
  });

  it("sends RECOVERED when a run succeeds after a failed one", async () => {
    const deps = runDeps([testJob("alerts:\n  on: [FAILED, RECOVERED]\n")]);
    const failed = launchedRun("report", {
      runId: "20260310T100000Z-aaaaaaaa",
      createdAt: "2026-03-10T10:00:00.000Z",
    });
    const ok = launchedRun("report", { runId: "20260310T110000Z-bbbbbbbb" });
    await deps.ledger.create(failed);
    await deps.ledger.create(ok);
    await deliver(deps, runTaskEvents(failed, 0, { containers: [{ name: "app", exitCode: 1 }] }));
    const okEvents = runTaskEvents(ok, 1);
    await deliver(deps, [...okEvents, ...okEvents]);
    expect(sentAlerts().map((a) => [a.detailType, a.detail.runId])).toEqual([
      ["ECS Job Run FAILED", failed.runId],
      ["ECS Job Run RECOVERED", ok.runId],
    ]);
    // A second success does not recover anything.
    const again = launchedRun("report", {
      runId: "20260310T120000Z-cccccccc",
      createdAt: "2026-03-10T12:00:00.000Z",
    });
    await deps.ledger.create(again);
    await deliver(deps, runTaskEvents(again, 2));
    expect(sentAlerts()).toHaveLength(2);
  });

  it("still alerts when the task definition or the log stream cannot be read", async () => {
    const deps = runDeps([testJob()]);
    const run = launchedRun("report");
    await deps.ledger.create(run);
    mocks.logs.on(GetLogEventsCommand).rejects(
      Object.assign(new Error("The specified log stream does not exist."), {
        name: "ResourceNotFoundException",
      }),
    );
    await deliver(deps, runTaskEvents(run, 0, { containers: [{ name: "app", exitCode: 3 }] }));
    expect(sentAlerts()[0]?.detail.logs).toMatchObject({ lastLines: [] });

    const other = launchedRun("report", { runId: "20260310T110000Z-dddddddd" });
    await deps.ledger.create(other);
    mocks.ecs.on(DescribeTaskDefinitionCommand).rejects(new Error("AccessDenied"));
    await deliver(deps, runTaskEvents(other, 5, { containers: [{ name: "app", exitCode: 3 }] }));
    expect(sentAlerts()[1]?.detail.logs).toBeUndefined();
    expect(sentAlerts()[1]?.detail.runId).toBe(other.runId);
  });
});
