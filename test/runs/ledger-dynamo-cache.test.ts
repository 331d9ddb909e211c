/**
 * The DynamoDB ledger's per-instance cache (one write per task event) against dynalite: several instances —
 * Lambda containers, each with its own client and cache — change the same runs, so their cached copies go
 * stale; the stored run must still be the ordered result, and what the cache saves is counted in commands.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { RunEndDeps } from "../../src/app/on-run-final.ts";
import { mergeLaunch } from "../../src/ledger/record-launch.ts";
import type { EcsTaskDetail } from "../../src/runs/events.ts";
import { foldTaskEvents } from "../../src/runs/fold-events.ts";
import type { Run } from "../../src/runs/model.ts";
import { applyEvent } from "../support/status-path.ts";
import { ledgerInstances } from "./dynalite.ts";
import { launchedRun, runDeps, runTaskEvents, testJob } from "./harness.ts";
import { deliveriesArb, eventsOf, launchedTasks } from "./task-scenarios.ts";

let runs = 0;
/** One ledger instance with its own client (and so its own cache), and the commands it sends. */
const instance = ledgerInstances();

/** A run no other test touches (one table for the file: creating tables is slow on dynalite). */
const freshRun = (o: Partial<Run> = {}): Run =>
  launchedRun("report", { runId: `run-${++runs}-${Math.random().toString(36).slice(2)}`, ...o });

/** Tasks in one order, and without the end-work mark: the store's, not the fold's (end-work.test.ts). */
const canonical = (r: Run | undefined) => {
  if (!r) return r;
  const { endWork: _mark, ...run } = r;
  return { ...run, tasks: [...r.tasks].sort((a, b) => (a.taskArn < b.taskArn ? -1 : 1)) };
};

/**
 * Tasks, which events are delivered twice, the delivery order, which of two instances gets each delivery,
 * and whether deliveries wait for each other (one container after another) or all run at once.
 */
const scenarioArb = deliveriesArb({ minLength: 1, maxLength: 3 }, (delivered) =>
  fc.record({
    toB: fc.array(fc.boolean(), { minLength: delivered, maxLength: delivered }),
    concurrent: fc.boolean(),
    launcherRecords: fc.boolean(),
  }),
);

describe("DynamoDB ledger cache: instances with stale copies", () => {
  it("two instances interleaving task events on one run end in the ordered result", async () => {
    let conflicts = 0;
    let sequentialDeliveries = 0;
    let sequentialReads = 0;
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (s) => {
        const a = instance();
        const b = instance();
        const run = freshRun({ expectedTasks: s.tasks.length });
        const events = eventsOf(run, s.tasks);
        // The ordered result, by the domain's merge and fold one event at a time (no ledger).
        let expectedRun = run;
        // Instance A is also the launcher: it created the run, so its cache starts with revision 0.
        await a.ledger.create(run);
        if (s.launcherRecords) {
          const launch = { tasks: launchedTasks(events), failures: [] };
          expectedRun = mergeLaunch(expectedRun, launch);
          await a.ledger.recordLaunch(run.runId, launch);
        }
        for (const e of events) expectedRun = foldTaskEvents(expectedRun, [e]) ?? expectedRun;

        const delivered = [...events, ...s.dups.map((i) => events[i] as EcsTaskDetail)];
        const deliveries = s.order.map((i, k) => ({
          ledger: s.toB[k] ? b.ledger : a.ledger,
          detail: delivered[i] as EcsTaskDetail,
        }));
        a.counts.reset();
        b.counts.reset();
        const outcomes = s.concurrent
          ? await Promise.all(deliveries.map((d) => d.ledger.applyTaskEvents(run.runId, [d.detail])))
          : [];
        if (!s.concurrent)
          for (const d of deliveries) outcomes.push(await d.ledger.applyTaskEvents(run.runId, [d.detail]));

        // Each applied event was written once: changes = puts that succeeded.
        const changed = outcomes.filter((o) => o?.changed).length;
        const puts = a.counts.get("PutItem") + b.counts.get("PutItem");
        const failed = a.counts.conditionFailures + b.counts.conditionFailures;
        expect(puts - failed).toBe(changed);
        conflicts += failed;
        if (!s.concurrent) {
          sequentialDeliveries += deliveries.length;
          sequentialReads += a.counts.get("GetItem") + b.counts.get("GetItem");
        }

        const expected = canonical(expectedRun);
        // get() reads the table whichever instance asks, whatever it has cached.
        expect(canonical(await a.ledger.get(run.runId))).toEqual(expected);
        expect(canonical(await b.ledger.get(run.runId))).toEqual(expected);
        const final = expected?.status === "SUCCEEDED" || expected?.status === "FAILED";
        expect(outcomes.filter((o) => o?.becameFinal)).toHaveLength(final ? 1 : 0);
      }),
      { numRuns: 60 },
    );
    // The property exercised what it is about: puts on stale cached revisions, and changes without a read.
    expect(conflicts).toBeGreaterThan(0);
    expect(sequentialReads).toBeLessThan(sequentialDeliveries / 2);
  });

  it("a stale copy costs a failed put and a read, never a lost update; get() reads the table", async () => {
    const a = instance();
    const b = instance();
    const run = freshRun();
    const [provisioning, pending, running] = runTaskEvents(run, 0).map((e) => e.detail);
    await a.ledger.create(run);
    await a.ledger.applyTaskEvents(run.runId, [provisioning!]);
    await b.ledger.applyTaskEvents(run.runId, [pending!]);
    a.counts.reset();
    // A's copy is revision 1 (PROVISIONING); the table has revision 2 (PENDING).
    expect(await a.ledger.applyTaskEvents(run.runId, [running!])).toMatchObject({ changed: true });
    expect([a.counts.get("PutItem"), a.counts.conditionFailures, a.counts.get("GetItem")]).toEqual([2, 1, 1]);
    // B's copy is revision 2 (PENDING); its get() answers from the table.
    b.counts.reset();
    expect((await b.ledger.get(run.runId))?.tasks[0]).toMatchObject({ lastStatus: "RUNNING", version: 3 });
    expect(b.counts.get("GetItem")).toBe(1);
    expect(
      (await b.ledger.listByJob(run.job, { limit: 100 })).runs.find((r) => r.runId === run.runId),
    ).toMatchObject({ status: "RUNNING" });
  });

  it("finish() answers from the table when its no-op was decided on a copy", async () => {
    const a = instance();
    const b = instance();
    const run = freshRun();
    const [, , running, stopped] = runTaskEvents(run, 0).map((e) => e.detail);
    await a.ledger.create(run);
    await a.ledger.applyTaskEvents(run.runId, [running!]);
    await a.ledger.finish(run.runId, "TIMED_OUT");
    // The task's last event arrives at another container after the sweeper gave up on the run.
    await b.ledger.applyTaskEvents(run.runId, [stopped!]);
    a.counts.reset();
    const out = await a.ledger.finish(run.runId, "FAILED");
    expect(out).toMatchObject({ changed: false, run: { status: "TIMED_OUT" } });
    expect(out.run.tasks[0]).toMatchObject({ lastStatus: "STOPPED" });
    expect([a.counts.get("GetItem"), a.counts.get("PutItem")]).toEqual([1, 0]);
  });

  it("changes a run it knows with one write, and drops duplicates and stale events with none", async () => {
    const a = instance();
    const run = freshRun();
    const events = runTaskEvents(run, 0).map((e) => e.detail);
    await a.ledger.create(run);
    a.counts.reset();
    await a.ledger.recordLaunch(run.runId, { tasks: launchedTasks(events), failures: [] });
    expect([a.counts.get("PutItem"), a.counts.get("GetItem")]).toEqual([1, 0]);
    expect(events.map((e) => e.lastStatus)).toEqual(["PROVISIONING", "PENDING", "RUNNING", "STOPPED"]);
    for (const e of events) await a.ledger.applyTaskEvents(run.runId, [e]);
    // PROVISIONING of a task the launch recorded changes nothing a reader uses: no write (fold-events.ts).
    expect([a.counts.get("PutItem"), a.counts.get("GetItem")]).toEqual([1 + 3, 0]);
    a.counts.reset();
    for (const e of [...events].reverse())
      expect(await a.ledger.applyTaskEvents(run.runId, [e])).toMatchObject({
        changed: false,
        becameFinal: false,
        run: { status: "SUCCEEDED" },
      });
    expect(a.counts.total()).toBe(0);
  });

  it("applies a batch of a many-task run's events in one write, ending where one by one would", async () => {
    const batched = instance();
    const run = freshRun({ expectedTasks: 50 });
    const events = Array.from({ length: 50 }, (_, t) =>
      runTaskEvents(run, t, { containers: [{ name: "app", exitCode: t === 7 ? 1 : 0 }] }).map(
        (e) => e.detail,
      ),
    ).flat();
    const shuffledEvents = [...events].sort((a, b) =>
      a.taskArn + a.version < b.taskArn + b.version ? 1 : -1,
    );
    await batched.ledger.create(run);
    const launch = { tasks: launchedTasks(events), failures: [] };
    await batched.ledger.recordLaunch(run.runId, launch);
    batched.counts.reset();
    const out = await batched.ledger.applyTaskEvents(run.runId, shuffledEvents);
    expect([batched.counts.get("PutItem"), batched.counts.get("GetItem")]).toEqual([1, 0]);
    const single = shuffledEvents.reduce((r, e) => foldTaskEvents(r, [e]) ?? r, mergeLaunch(run, launch));
    expect(out).toMatchObject({ changed: true, becameFinal: true, run: { status: "FAILED" } });
    expect(canonical(await batched.ledger.get(run.runId))).toEqual(canonical(single));
    // The same batch again is all duplicates: no command at all.
    batched.counts.reset();
    expect(await batched.ledger.applyTaskEvents(run.runId, shuffledEvents)).toMatchObject({ changed: false });
    expect(batched.counts.total()).toBe(0);
  });

  it("an instance that never saw the run reads it once, then writes only", async () => {
    const launcher = instance();
    const status = instance();
    const run = freshRun();
    const events = runTaskEvents(run, 0).map((e) => e.detail);
    await launcher.ledger.create(run);
    for (const e of events) await status.ledger.applyTaskEvents(run.runId, [e]);
    expect([status.counts.get("GetItem"), status.counts.get("PutItem")]).toEqual([1, events.length]);
  });

  it("the status handler: duplicates of a final run's events send no DynamoDB command at all", async () => {
    const a = instance();
    const job = testJob();
    const deps: RunEndDeps = { ...runDeps([job]), ledger: a.ledger };
    const run = freshRun();
    await a.ledger.create(run);
    const events = runTaskEvents(run, 0);
    a.counts.reset();
    for (const e of events) expect(await applyEvent(deps, e)).toBe("applied");
    // One write per event; no DONE claim, as a success of a job that does not alert RECOVERED leads to nothing.
    expect([a.counts.get("PutItem"), a.counts.get("GetItem")]).toEqual([events.length, 0]);
    a.counts.reset();
    for (const e of [...events, ...events]) expect(await applyEvent(deps, e)).toBe("unchanged");
    expect(a.counts.total()).toBe(0);
    expect((await a.ledger.get(run.runId))?.status).toBe("SUCCEEDED");
  });

  it("the status handler: a job alerting RECOVERED takes the DONE claim once its run is final", async () => {
    const a = instance();
    const job = testJob("alerts: { on: [FAILED, RECOVERED] }\n");
    const deps: RunEndDeps = { ...runDeps([job]), ledger: a.ledger };
    const run = freshRun();
    await a.ledger.create(run);
    const events = runTaskEvents(run, 0);
    a.counts.reset();
    for (const e of events) await applyEvent(deps, e);
    // One write per event, plus the DONE claim; the RECOVERED check reads the job's runs (a Query).
    expect(a.counts.get("PutItem")).toBe(events.length + 1);
  });

  it("forgets the least recently used runs beyond its size; size 0 reads before every change", async () => {
    const small = instance({ cache: { runs: 2 } });
    const [r1, r2, r3] = [freshRun(), freshRun(), freshRun()];
    for (const r of [r1, r2, r3]) await small.ledger.create(r!);
    small.counts.reset();
    const first = (r: Run) => runTaskEvents(r, 0)[0]!.detail;
    await small.ledger.applyTaskEvents(r3!.runId, [first(r3!)]);
    await small.ledger.applyTaskEvents(r2!.runId, [first(r2!)]);
    expect(small.counts.get("GetItem")).toBe(0);
    await small.ledger.applyTaskEvents(r1!.runId, [first(r1!)]);
    expect(small.counts.get("GetItem")).toBe(1);

    const none = instance({ cache: { runs: 0 } });
    const r = freshRun();
    await none.ledger.create(r);
    none.counts.reset();
    const events = runTaskEvents(r, 0).map((e) => e.detail);
    for (const e of [...events, ...events]) await none.ledger.applyTaskEvents(r.runId, [e]);
    expect([none.counts.get("GetItem"), none.counts.get("PutItem")]).toEqual([
      2 * events.length,
      events.length,
    ]);
  });
});

describe("DynamoDB ledger cache: claims", () => {
  it("a claim this instance holds is not claimed again, without a write; another's is asked for", async () => {
    const a = instance();
    const b = instance();
    const runId = freshRun().runId;
    expect(await a.ledger.claimAlert(runId, "DONE")).toBe(true);
    a.counts.reset();
    expect(await a.ledger.claimAlert(runId, "DONE")).toBe(false);
    expect(a.counts.total()).toBe(0);
    expect(await b.ledger.claimAlert(runId, "DONE")).toBe(false);
    // B's failed claim is not remembered: once A releases (its work failed), B's retry claims it.
    await a.ledger.releaseAlert(runId, "DONE");
    expect(await b.ledger.claimAlert(runId, "DONE")).toBe(true);
    a.counts.reset();
    expect(await a.ledger.claimAlert(runId, "DONE")).toBe(false);
    expect(a.counts.get("PutItem")).toBe(1);
    // And a release by the holder lets the holder claim again.
    await b.ledger.releaseAlert(runId, "DONE");
    expect(await b.ledger.claimAlert(runId, "DONE")).toBe(true);
  });

  it("claims once among concurrent callers of two instances", async () => {
    const a = instance();
    const b = instance();
    const runId = freshRun().runId;
    const claims = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).ledger.claimAlert(runId, "FAILED")),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
  });
});
