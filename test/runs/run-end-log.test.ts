import { describe, expect, it } from "vitest";
import type { Run } from "../../src/runs/model.ts";
import { withRunEndLog } from "../../src/runs/run-end-log.ts";
import { recordingLog } from "../launch/harness.ts";
import { runFixture } from "../support/events.ts";

const ARN = "arn:aws:ecs:eu-west-1:111122223333:task/reports/0a1b2c3d4e5f";

const stopped = (id: string, exitCode: number) => ({
  taskArn: `${ARN}${id}`,
  lastStatus: "STOPPED",
  started: true,
  stopCode: "EssentialContainerExited",
  stoppedReason: "Essential container in task exited",
  containers: [{ name: "app", exitCode }],
});

function ended(run: Run) {
  const log = recordingLog();
  const counted: string[] = [];
  const transitions = withRunEndLog(log, { created: () => {}, ended: (r) => counted.push(r.runId) });
  transitions.ended(run);
  return { lines: log.lines, counted };
}

describe("the log line of a run's end", () => {
  it("a failed run: a warning naming the run, job, hint and each failed task's ARN, stop code and exit codes", () => {
    const run = runFixture({
      runId: "20261205T020000Z-0badc0de",
      status: "FAILED",
      hint: "Essential container app exited with code 3: check the container's log.",
      tasks: [stopped("01", 0), stopped("02", 3)],
    });
    const { lines, counted } = ended(run);
    expect(lines).toEqual([
      {
        level: "warn",
        message: "run ended",
        extra: [
          {
            runId: "20261205T020000Z-0badc0de",
            job: "nightly-report",
            status: "FAILED",
            attempt: 1,
            trigger: "schedule",
            tasks: 2,
            hint: "Essential container app exited with code 3: check the container's log.",
            failedTasks: [
              {
                taskArn: `${ARN}02`,
                lastStatus: "STOPPED",
                stopCode: "EssentialContainerExited",
                stoppedReason: "Essential container in task exited",
                containers: [{ name: "app", exitCode: 3 }],
              },
            ],
          },
        ],
      },
    ]);
    // The metrics still follow.
    expect(counted).toEqual(["20261205T020000Z-0badc0de"]);
  });

  it("names 5 failed tasks and RunTask failures of a big run, and counts the rest", () => {
    const run = runFixture({
      status: "FAILED",
      tasks: Array.from({ length: 8 }, (_, i) => stopped(String(i).padStart(2, "0"), 1)),
      failures: Array.from({ length: 7 }, () => ({ reason: "RESOURCE:MEMORY" })),
    });
    const [line] = ended(run).lines;
    const fields = line?.extra[0] as Record<string, unknown[] | number>;
    expect(fields.failedTasks).toHaveLength(5);
    expect(fields.failedTasksNotNamed).toBe(3);
    expect(fields.failures).toEqual(Array.from({ length: 5 }, () => ({ reason: "RESOURCE:MEMORY" })));
    expect(fields.failuresNotNamed).toBe(2);
  });

  it("a success or a cancel is an info line without failed tasks", () => {
    const ok = ended(runFixture({ runId: "ok", status: "SUCCEEDED", tasks: [stopped("01", 0)] })).lines;
    expect(ok).toEqual([
      {
        level: "info",
        message: "run ended",
        extra: [
          {
            runId: "ok",
            job: "nightly-report",
            status: "SUCCEEDED",
            attempt: 1,
            trigger: "schedule",
            tasks: 1,
          },
        ],
      },
    ]);
    const cancelled = runFixture({ status: "CANCELLED", cancelledBy: "next", tasks: [stopped("01", 143)] });
    const [line] = ended(cancelled).lines;
    expect(line).toMatchObject({ level: "info", extra: [{ status: "CANCELLED", cancelledBy: "next" }] });
    expect(line?.extra[0]).not.toHaveProperty("failedTasks");
  });
});
