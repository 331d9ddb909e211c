/**
 * Each fire time of a schedule ends as exactly one of: a run Scheduler delivered, a MISSED record, or a
 * MISSED record with its catch-up run — whatever the order of deliveries and sweeps, late or duplicated
 * deliveries included, and however often the sweeper looks.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { graceMs, reportMissed } from "../../src/app/missed.ts";
import type { Run } from "../../src/runs/model.ts";
import { runIdFor } from "../../src/runs/run-id.ts";
import { fakeLaunch, launchedRun, runDeps, testJob, useRunMocks } from "./harness.ts";

useRunMocks();

const HOUR = 3_600_000;
const START = Date.parse("2026-03-10T00:00:00Z");
const FIRES = Array.from({ length: 8 }, (_, i) => START + (i + 1) * HOUR);

type Step = { kind: "deliver"; fire: number; lateMinutes: number } | { kind: "sweep"; atMinutes: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant("deliver" as const),
    fire: fc.integer({ min: 0, max: FIRES.length - 1 }),
    lateMinutes: fc.integer({ min: 0, max: 40 }),
  }),
  fc.record({ kind: fc.constant("sweep" as const), atMinutes: fc.integer({ min: 0, max: 9 * 60 }) }),
);

describe("fire times (property)", () => {
  it("each one is exactly one of: run, MISSED, or MISSED and caught up", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { maxLength: 30 }),
        fc.constantFrom("none", "latest", "all"),
        async (steps, catchUp) => {
          const job = testJob(
            `schedule:\n  expression: cron(0 * * * ? *)\npolicy:\n  startDeadlineMinutes: 5\n  catchUp: ${catchUp}\n  catchUpWindowMinutes: 120\n`,
          );
          const launch = fakeLaunch();
          const deps = runDeps([job], { launch, now: new Date(START) });
          const info = { created: new Date(START), modified: new Date(START) };
          // Steps happen in time order, with the sweeper's own runs at least every 45 minutes (it runs each
          // minute; an outage shorter than its one-hour look-back changes nothing), and a final one.
          const regular: Step[] = Array.from({ length: 13 }, (_, i) => ({
            kind: "sweep",
            atMinutes: i * 45,
          }));
          const timed = [...steps, ...regular]
            .map((s) => ({
              s,
              at:
                s.kind === "sweep"
                  ? START + s.atMinutes * 60_000
                  : (FIRES[s.fire] as number) + s.lateMinutes * 60_000,
            }))
            .sort((a, b) => a.at - b.at);
          const last = (FIRES.at(-1) as number) + graceMs(job) + 60_000;
          for (const { s, at } of [...timed, { s: { kind: "sweep", atMinutes: 0 } as Step, at: last }]) {
            deps.clock.now = new Date(at);
            if (s.kind === "sweep") await reportMissed(deps, job, info);
            else {
              const fire = new Date(FIRES[s.fire] as number).toISOString();
              const trigger = {
                kind: "schedule" as const,
                id: `exec-${fire}-${s.lateMinutes}`,
                scheduledTime: fire,
              };
              await deps.ledger.create(
                launchedRun("report", {
                  runId: runIdFor("report", trigger, new Date(fire)),
                  trigger,
                  createdAt: new Date(at).toISOString(),
                  status: "SUCCEEDED",
                }),
              );
            }
          }
          const runs: Run[] = (await deps.ledger.listByJob("report", { limit: 1_000 })).runs;
          for (const fire of FIRES) {
            const iso = new Date(fire).toISOString();
            const mine = runs.filter((r) => Date.parse(r.trigger.scheduledTime ?? "") === fire);
            const scheduled = mine.filter((r) => r.trigger.kind === "schedule");
            const caught = mine.filter((r) => r.trigger.kind === "catchUp");
            expect(scheduled, `${iso}: one record`).toHaveLength(1);
            const [record] = scheduled;
            if (record?.status !== "MISSED") expect(caught, `${iso}: ran, so no catch-up`).toEqual([]);
            else expect(caught.length, `${iso}: at most one catch-up`).toBeLessThanOrEqual(1);
            if (catchUp === "none") expect(caught).toEqual([]);
          }
          // catchUp all: every MISSED fire time found within the window was caught up.
          if (catchUp === "all") {
            const missed = runs.filter((r) => r.status === "MISSED");
            const found = missed.filter(
              (r) => Date.parse(r.stoppedAt ?? "") - Date.parse(r.createdAt) <= 120 * 60_000,
            );
            for (const m of found)
              expect(
                runs.some(
                  (r) => r.trigger.kind === "catchUp" && r.trigger.scheduledTime === m.trigger.scheduledTime,
                ),
              ).toBe(true);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
