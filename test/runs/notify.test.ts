/**
 * alerts.notify and "changed since last success", through the status handler: task events in, the run
 * ledger (in memory) updated, alerts out on the mocked EventBridge and SNS.
 */
import { PublishCommand, type PublishCommandInput } from "@aws-sdk/client-sns";
import { describe, expect, it } from "vitest";
import type { EcsTaskStateChange } from "../../src/runs/events.ts";
import type { Run } from "../../src/runs/model.ts";
import { applyEvent } from "../support/status-path.ts";
import { launchedRun, mocks, runDeps, runTaskEvents, sentAlerts, testJob, useRunMocks } from "./harness.ts";

useRunMocks();

type Deps = ReturnType<typeof runDeps>;
const TD = "arn:aws:ecs:us-east-1:111122223333:task-definition/report";

interface Ran {
  revision?: number;
  image?: string;
  digest?: string;
}

/** The task events of one run that ends with exit `exit`, carrying the task definition and image given. */
function eventsOf(run: Run, n: number, exit: number, ran: Ran = {}): EcsTaskStateChange[] {
  return runTaskEvents(run, n, { containers: [{ name: "app", exitCode: exit }] }).map((e) => {
    e.detail.taskDefinitionArn = `${TD}:${ran.revision ?? 7}`;
    e.detail.containers = e.detail.containers.map((c) => ({
      ...c,
      image: ran.image ?? "acme/report:1.4",
      imageDigest: ran.digest ?? "sha256:aaa",
    }));
    return e;
  });
}

let hour = 0;
/** A run of the job "report" created an hour after the previous one, finished with exit `exit`. */
async function finish(deps: Deps, exit: number, ran: Ran = {}, order: "in-order" | "twice" = "in-order") {
  hour++;
  const at = new Date(Date.UTC(2026, 2, 10, hour)).toISOString();
  const run = launchedRun("report", { runId: `run-${String(hour).padStart(2, "0")}`, createdAt: at });
  await deps.ledger.create(run);
  const events = eventsOf(run, hour, exit, ran);
  for (const e of order === "twice" ? [...events, ...events] : events) await applyEvent(deps, e);
  return run;
}

const kinds = () => sentAlerts().map((a) => `${a.detailType.replace("ECS Job Run ", "")} ${a.detail.runId}`);

describe("notify: change", () => {
  it("alerts the first failure of a streak and the recovery, nothing in between", async () => {
    hour = 0;
    const deps = runDeps([testJob("alerts:\n  notify: change\n")]);
    const f1 = await finish(deps, 1); // the job's first outcome ever
    await finish(deps, 1, {}, "twice");
    await finish(deps, 2);
    const ok = await finish(deps, 0);
    await finish(deps, 0);
    const f2 = await finish(deps, 1);
    await finish(deps, 1);
    expect(kinds()).toEqual([`FAILED ${f1.runId}`, `RECOVERED ${ok.runId}`, `FAILED ${f2.runId}`]);
  });

  it("decides by when runs were created, not by when their events arrive", async () => {
    const deps = runDeps([testJob("alerts:\n  notify: change\n")]);
    const mk = (id: string, hourOf: number) =>
      launchedRun("report", { runId: id, createdAt: new Date(Date.UTC(2026, 2, 11, hourOf)).toISOString() });
    const ok = mk("a-ok", 1);
    const first = mk("b-fail", 2);
    const second = mk("c-fail", 3);
    for (const r of [ok, first, second]) await deps.ledger.create(r);
    // The success ends first, then the later failure, then the earlier one.
    for (const e of eventsOf(ok, 101, 0)) await applyEvent(deps, e);
    for (const e of eventsOf(second, 103, 1)) await applyEvent(deps, e);
    for (const e of eventsOf(first, 102, 1)) await applyEvent(deps, e);
    // c-fail ended while b-fail (created before it) was still running: it opened the streak as far as the
    // ledger knew. b-fail, created right after the success, opens it too. Both alert; none is lost.
    expect(kinds().sort()).toEqual(["FAILED b-fail", "FAILED c-fail"]);
  });

  it("every (the default) alerts each failed run", async () => {
    hour = 20;
    const deps = runDeps([testJob()]);
    await finish(deps, 1);
    await finish(deps, 1);
    expect(sentAlerts()).toHaveLength(2);
  });
});

describe("failure alerts say what changed since the last success", () => {
  it("names the new revision and image, in the event detail and the SNS message", async () => {
    hour = 30;
    const deps = runDeps([testJob("alerts:\n  snsTopicArn: arn:aws:sns:us-east-1:111122223333:ops\n")]);
    const ok = await finish(deps, 0);
    const failed = await finish(deps, 1, { revision: 8, image: "acme/report:1.5", digest: "sha256:bbb" });
    const [alert] = sentAlerts();
    expect(alert?.detail.runId).toBe(failed.runId);
    expect(alert?.detail.changedSinceLastSuccess).toEqual({
      since: { runId: ok.runId, createdAt: ok.createdAt },
      known: true,
      changes: [
        { what: "taskDefinition", before: "report:7", after: "report:8" },
        { what: "image", container: "app", before: "acme/report:1.4", after: "acme/report:1.5" },
      ],
      text: "task definition report:7 → report:8; image of app acme/report:1.4 → acme/report:1.5",
    });
    const [publish] = mocks.sns.commandCalls(PublishCommand);
    const message = (publish?.args[0].input as PublishCommandInput | undefined)?.Message ?? "";
    expect(message).toContain(
      `Changed since last success (run ${ok.runId}): task definition report:7 → report:8; image of app acme/report:1.4 → acme/report:1.5`,
    );
  });

  it("says nothing changed when the failed run ran what the last success ran", async () => {
    hour = 40;
    const deps = runDeps([testJob()]);
    await finish(deps, 0);
    await finish(deps, 1);
    await finish(deps, 1, { digest: "sha256:ccc" });
    const texts = sentAlerts().map((a) => (a.detail.changedSinceLastSuccess as { text: string }).text);
    expect(texts).toEqual(["nothing changed", "image of app same tag, new digest sha256:aaa → sha256:ccc"]);
  });

  it("says so when the job never succeeded", async () => {
    hour = 50;
    const deps = runDeps([testJob()]);
    await finish(deps, 1);
    expect(sentAlerts()[0]?.detail.changedSinceLastSuccess).toMatchObject({
      known: false,
      text: "no earlier success on record",
    });
  });
});
