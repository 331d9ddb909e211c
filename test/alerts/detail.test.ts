import { describe, expect, it } from "vitest";
import {
  type AlertDetail,
  alertDetail,
  entryBytes,
  fitDetail,
  PUT_EVENTS_ENTRY_MAX_BYTES,
} from "../../src/alerts/detail.ts";
import { failedContainer, logStreamUrl } from "../../src/alerts/failed-container-logs.ts";
import { ALERT_SOURCE, detailTypeOf } from "../../src/alerts/kinds.ts";
import { REDACTED, redactSecrets } from "../../src/alerts/redact.ts";
import { alertMessage, alertSubject } from "../../src/alerts/text.ts";
import type { Run, TaskState } from "../../src/runs/model.ts";
import { runFixture, taskArnFor } from "../support/events.ts";

const overhead = Buffer.byteLength(ALERT_SOURCE) + Buffer.byteLength(detailTypeOf("FAILED"));

const task = (i: number, exitCode: number, extra: Partial<TaskState> = {}): TaskState => ({
  taskArn: taskArnFor(i),
  lastStatus: "STOPPED",
  started: true,
  stopCode: "EssentialContainerExited",
  stoppedReason: "Essential container in task exited",
  stoppedAt: new Date(Date.parse("2026-03-10T11:00:00Z") + i * 1000).toISOString(),
  containers: [{ name: "app", exitCode, reason: "x".repeat(200) }],
  ...extra,
});

const failedRun = (tasks: TaskState[]): Run =>
  runFixture({
    status: "FAILED",
    hint: "Container app exited with code 1.",
    tasks,
    expectedTasks: tasks.length,
  });

describe("the EventBridge entry", () => {
  it("is the run plus kind, summary and logs, unchanged when it fits", () => {
    const run = failedRun([task(1, 1)]);
    const detail = alertDetail({ kind: "FAILED", run, summary: "it failed" });
    expect(detail).toEqual({ ...run, kind: "FAILED", summary: "it failed" });
    expect(JSON.parse(fitDetail(detail, overhead))).toEqual(detail);
  });

  it("stays under 256 KB: long and old log lines go first, newest lines are kept", () => {
    const lines = Array.from({ length: 20 }, (_, i) => `${i}:${"y".repeat(30_000)}`);
    const detail: AlertDetail = {
      ...alertDetail({ kind: "FAILED", run: failedRun([task(1, 1)]), summary: "s" }),
      logs: {
        taskArn: taskArnFor(1),
        container: "app",
        group: "/ecs/report",
        stream: "ecs/app/1",
        region: "us-east-1",
        streamUrl: "https://example",
        lastLines: lines,
      },
    };
    const json = fitDetail(detail, overhead);
    expect(entryBytes(ALERT_SOURCE, detailTypeOf("FAILED"), json)).toBeLessThanOrEqual(
      PUT_EVENTS_ENTRY_MAX_BYTES,
    );
    const fitted = JSON.parse(json) as AlertDetail;
    expect(fitted.logs?.lastLines).toHaveLength(20);
    expect(fitted.logs?.lastLines[19]).toMatch(/^19:y+…$/);
    expect(fitted.hint).toBe(detail.hint);
  });

  it("drops succeeded tasks, then failed ones, saying how many, when a run is huge", () => {
    const tasks = Array.from({ length: 1000 }, (_, i) => task(i, i % 10 === 0 ? 1 : 0));
    const detail = alertDetail({ kind: "FAILED", run: failedRun(tasks), summary: "s" });
    const json = fitDetail(detail, overhead, 64 * 1024);
    expect(Buffer.byteLength(json) + overhead).toBeLessThanOrEqual(64 * 1024);
    const fitted = JSON.parse(json) as AlertDetail;
    expect(fitted.status).toBe("FAILED");
    expect(fitted.tasks.length).toBeGreaterThan(0);
    expect(fitted.tasks.every((t) => t.containers[0]?.exitCode === 1)).toBe(true);
    expect(fitted.tasksOmitted).toBe(1000 - fitted.tasks.length);
  });
});

describe("the log link", () => {
  it("encodes the group and stream the way the CloudWatch console does", () => {
    expect(logStreamUrl("eu-west-1", "/ecs/my app", "ecs/app/abc123")).toBe(
      "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/$252Fecs$252Fmy$2520app/log-events/ecs$252Fapp$252Fabc123",
    );
  });

  it("points at the essential container that failed, in the task that failed first", () => {
    const run = failedRun([
      task(2, 0),
      task(3, 0, {
        containers: [
          { name: "sidecar", exitCode: 1, essential: false },
          { name: "app", exitCode: 137, essential: true },
        ],
      }),
      task(9, 1),
    ]);
    const found = failedContainer(run);
    expect(found?.task.taskArn).toBe(taskArnFor(3));
    expect(found?.container.name).toBe("app");
  });
});

describe("the SNS message", () => {
  it("has an ASCII subject under 100 characters", () => {
    const run = { ...failedRun([task(1, 1)]), job: `${"j".repeat(63)}`, runId: "20260310T110000Z-abcdef12" };
    const subject = alertSubject({ kind: "TIMED_OUT", run, summary: "é" });
    expect(subject.length).toBeLessThan(100);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
    expect(subject.startsWith("ecs-jobs TIMED_OUT: jjj")).toBe(true);
  });

  it("reads as the summary, the hint, and each task's exit codes", () => {
    const message = alertMessage({ kind: "FAILED", run: failedRun([task(1, 3)]), summary: "report failed" });
    expect(message.split("\n")[0]).toBe("report failed");
    expect(message).toContain("Hint: Container app exited with code 1.");
    expect(message).toContain("    app: exit 3");
  });

  it("says what the run cost, marked as an estimate, in the message and the detail", () => {
    const cost: Run["cost"] = {
      vcpuSeconds: 17,
      gbSeconds: 34,
      usd: 0.000233,
      pricing: { source: "estimate", region: "us-west-2", asOf: "2025-01" },
    };
    const run = { ...failedRun([task(1, 3)]), cost };
    const message = alertMessage({ kind: "FAILED", run, summary: "report failed" });
    expect(message).toContain("Cost: ~$0.00023 estimated (17 vCPU-s, 34 GB-s; us-west-2 prices of 2025-01)");
    expect(alertDetail({ kind: "FAILED", run, summary: "s" }).cost).toEqual(cost);
    const unpriced = {
      ...run,
      cost: { vcpuSeconds: 17, gbSeconds: 34, pricing: { ...cost.pricing, note: "n" } },
    };
    expect(alertMessage({ kind: "FAILED", run: unpriced, summary: "s" })).toContain(
      "Cost: 17 vCPU-s, 34 GB-s (no USD estimate; n)",
    );
    expect(alertMessage({ kind: "FAILED", run: failedRun([task(1, 3)]), summary: "s" })).not.toContain(
      "Cost:",
    );
  });
});

describe("redaction", () => {
  it("keeps environment variable names and drops their values, in both shapes", () => {
    const value = {
      overrides: { containers: { app: { environment: { TOKEN: "abc", MODE: "x" }, command: ["run"] } } },
      ecs: { environment: [{ name: "PASSWORD", value: "hunter2" }] },
    };
    expect(redactSecrets(value)).toEqual({
      overrides: {
        containers: { app: { environment: { TOKEN: REDACTED, MODE: REDACTED }, command: ["run"] } },
      },
      ecs: { environment: [{ name: "PASSWORD", value: REDACTED }] },
    });
    expect(value.ecs.environment[0]?.value).toBe("hunter2");
  });
});
