/**
 * The launch path at scale on the emulator's clock: the ECS emulator with Fargate's RunTask limits, the
 * real SDK over HTTP, the launcher with its RunTask pacer, and the in-memory ledger — all on one manual
 * clock that moves only when everything waits on it (a discrete-event simulation). So the times measured
 * are the emulator's, the same on a loaded machine as on an idle one, and no test waits on the wall clock.
 */
import { ECSClient } from "@aws-sdk/client-ecs";
import { MemoryLedger } from "../../../gen/memory-ledger.ts";
import {
  createManualClock,
  type EcsEmulator,
  type ManualClock,
  startEcsEmulator,
  type TaskStateChangeEvent,
} from "../../../local/ecs/index.ts";
import type { Deps } from "../../../src/app/deps.ts";
import { createClients } from "../../../src/aws/clients.ts";
import { catalogOf } from "../../../src/catalog/catalog.ts";
import { DEFAULT_CONFIG } from "../../../src/config.ts";
import type { Job } from "../../../src/jobspec/schema.ts";
import { createRunTaskPacer } from "../../../src/launch/runtask-pacer.ts";
import { recordingLog } from "../../launch/harness.ts";

export const START = Date.parse("2026-03-10T12:00:00Z");

export interface Sim {
  clock: ManualClock;
  emu: EcsEmulator;
  deps: Deps & { ledger: MemoryLedger };
  /** RunTask calls answered, with the emulator time of each answer. */
  runTaskAnswers: number[];
  events: TaskStateChangeEvent[];
  /** Moves the clock from timer to timer whenever nothing is in flight, until `done()` holds. */
  runUntil(done: () => boolean, maxSimMs?: number): Promise<void>;
  close(): Promise<void>;
}

const tick = () => new Promise<void>((r) => setImmediate(r));

export async function startSim(
  jobs: readonly Job[],
  o: { onEvent?: (e: TaskStateChangeEvent, deps: Sim["deps"]) => Promise<void> } = {},
): Promise<Sim> {
  const clock = createManualClock(START);
  const events: TaskStateChangeEvent[] = [];
  let deps: Sim["deps"] | undefined;
  const emu = await startEcsEmulator({
    clock,
    rateLimits: true,
    autoCreateClusters: true,
    behaviour: () => ({ outcome: "succeed", durationSeconds: 5 }),
    onTaskStateChange: async (e) => {
      events.push(e);
      if (o.onEvent && deps) await o.onEvent(e, deps);
    },
  });
  // The jobs name report:7 (support/spec.ts).
  for (let i = 0; i < 7; i++)
    emu.registerTaskDefinition({
      family: "report",
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      cpu: "256",
      memory: "512",
      containerDefinitions: [{ name: "app", image: "alpine:3.20", essential: true }],
    });
  const clients = createClients(
    { ecs: ECSClient },
    {
      region: emu.region,
      endpoints: { ecs: emu.url },
      credentials: { accessKeyId: "x", secretAccessKey: "x" },
    },
  );
  let inflight = 0;
  const runTaskAnswers: number[] = [];
  clients.ecs.middlewareStack.add(
    (next, context) => async (args) => {
      inflight++;
      try {
        const out = await next(args);
        if (context.commandName === "RunTaskCommand") runTaskAnswers.push(clock.now());
        return out;
      } finally {
        inflight--;
      }
    },
    { step: "initialize", name: "countInflight" },
  );
  deps = {
    clients,
    ledger: new MemoryLedger(),
    catalog: catalogOf(jobs),
    config: DEFAULT_CONFIG,
    now: () => new Date(clock.now()),
    log: recordingLog(),
    sleep: async () => {},
    runTaskPacer: createRunTaskPacer({
      now: () => clock.now(),
      sleep: (ms) => new Promise<void>((r) => clock.setTimeout(r, ms)),
    }),
  };
  const d = deps;
  return {
    clock,
    emu,
    deps: d,
    runTaskAnswers,
    events,
    async runUntil(done, maxSimMs = 3_600_000) {
      const limit = clock.now() + maxSimMs;
      for (;;) {
        await tick();
        await tick();
        if (done()) return;
        if (inflight > 0) {
          // An HTTP round trip to the emulator is under way: real I/O, not the clock.
          await new Promise((r) => setTimeout(r, 0));
          continue;
        }
        const next = clock.next();
        if (next === undefined || next > limit) {
          await new Promise((r) => setTimeout(r, 1));
          if (done()) return;
          if (inflight === 0 && clock.next() === undefined && next === undefined)
            throw new Error("the simulation is stuck: nothing in flight and no timer waiting");
          if (next !== undefined && next > limit) throw new Error(`not done after ${maxSimMs} ms`);
          continue;
        }
        await clock.advance(Math.max(0, next - clock.now()));
      }
    },
    async close() {
      clients.ecs.destroy();
      await emu.close();
    },
  };
}
