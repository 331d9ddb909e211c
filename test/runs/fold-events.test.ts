/**
 * Which task events a run records (src/runs/fold-events.ts): PENDING, RUNNING and STOPPED of a task it
 * knows; any status of a task it does not know yet. The others change nothing, and so cost no ledger write.
 */
import { describe, expect, it } from "vitest";
import { foldTaskEvents } from "../../src/runs/fold-events.ts";
import { runFixture, taskArnFor, taskEvent } from "../support/events.ts";

const taskArn = taskArnFor("fold");
const event = (lastStatus: Parameters<typeof taskEvent>[0]["lastStatus"], version: number) =>
  taskEvent({ taskArn, lastStatus, version }).detail;
/** The run as the launcher records it from RunTask's answer: the task known, PROVISIONING, no version. */
const launched = () =>
  runFixture({ expectedTasks: 1, tasks: [{ taskArn, lastStatus: "PROVISIONING", containers: [] }] });

describe("task events a run records", () => {
  it("does not apply PROVISIONING, ACTIVATING, DEACTIVATING, STOPPING or DEPROVISIONING of a known task", () => {
    const run = launched();
    for (const [status, version] of [
      ["PROVISIONING", 1],
      ["ACTIVATING", 3],
      ["DEACTIVATING", 5],
      ["STOPPING", 6],
      ["DEPROVISIONING", 7],
    ] as const)
      expect(foldTaskEvents(run, [event(status, version)])).toBeUndefined();
  });

  it("applies PENDING, RUNNING and STOPPED, and the run ends as with every event", () => {
    const pending = foldTaskEvents(launched(), [event("PROVISIONING", 1), event("PENDING", 2)]);
    expect(pending?.tasks[0]).toMatchObject({ lastStatus: "PENDING", version: 2 });
    const running = foldTaskEvents(pending!, [event("ACTIVATING", 3), event("RUNNING", 4)]);
    expect(running).toMatchObject({ status: "RUNNING", tasks: [{ lastStatus: "RUNNING", version: 4 }] });
    expect(foldTaskEvents(running!, [event("DEACTIVATING", 5), event("STOPPING", 6)])).toBeUndefined();
    const stopped = foldTaskEvents(running!, [event("STOPPED", 8)]);
    expect(stopped).toMatchObject({ status: "SUCCEEDED", tasks: [{ lastStatus: "STOPPED", version: 8 }] });
  });

  it("records a task it does not know yet whatever its status: the sweeper must learn of it", () => {
    const run = runFixture({ expectedTasks: 1, tasks: [] });
    const out = foldTaskEvents(run, [event("PROVISIONING", 1)]);
    expect(out?.tasks).toMatchObject([{ taskArn, lastStatus: "PROVISIONING", version: 1 }]);
  });
});
