/**
 * The run-end code (src/app/run-end.ts) is loaded only for a run that needs it: a launch that succeeds or a
 * batch that ends no run must not load the chunk the handlers keep it in (BENCHMARKS.md, cold start).
 */
import { describe, expect, it, vi } from "vitest";
import type { RunEndDeps } from "../../src/app/on-run-final.ts";
import { onRunFinal, type RunEndSteps, settleLaunched } from "../../src/app/run-end.ts";
import { catalogOf } from "../../src/catalog/catalog.ts";
import type { Run } from "../../src/runs/model.ts";
import { runFixture } from "../support/events.ts";
import { FARGATE_JOB, job } from "../support/spec.ts";

const failing = job(`${FARGATE_JOB}alerts: { on: [FAILED] }\n`, "nightly-report");
const recovering = job(`${FARGATE_JOB}alerts: { on: [FAILED, RECOVERED] }\n`, "recovering");

/** Deps whose run-end steps are spies, and how often they were loaded. */
function depsWithSpies() {
  const steps = { onRunFinal: vi.fn(async () => {}), settleLaunched: vi.fn(async () => {}) };
  const runEnd = vi.fn(async () => steps as unknown as RunEndSteps);
  // The wrappers read the catalogue and call the loader; the rest of RunEndDeps goes to the steps untouched.
  const deps = { catalog: catalogOf([failing, recovering]), runEnd } as unknown as RunEndDeps;
  return { deps, runEnd, steps };
}

describe("the run-end steps, loaded on first use", () => {
  it.each<[string, Partial<Run>]>([
    ["a run still RUNNING", { status: "RUNNING" }],
    ["a run just launched", { status: "PENDING" }],
    ["a success of a job with no RECOVERED alert", { status: "SUCCEEDED" }],
  ])("are not loaded for %s", async (_, run) => {
    const { deps, runEnd, steps } = depsWithSpies();
    await onRunFinal(deps, runFixture(run));
    await settleLaunched(deps, runFixture(run));
    expect(runEnd).not.toHaveBeenCalled();
    expect(steps.onRunFinal).not.toHaveBeenCalled();
  });

  it.each<[string, Partial<Run>]>([
    ["a failed run", { status: "FAILED" }],
    ["a timed-out run", { status: "TIMED_OUT" }],
    ["a success of a job that alerts RECOVERED", { status: "SUCCEEDED", job: "recovering" }],
    [
      "a final run of a job the catalogue does not know (logged by onRunFinal)",
      { status: "FAILED", job: "gone" },
    ],
  ])("are loaded and run for %s", async (_, fields) => {
    const { deps, runEnd, steps } = depsWithSpies();
    const run = runFixture(fields);
    await onRunFinal(deps, run);
    expect(runEnd).toHaveBeenCalledTimes(1);
    expect(steps.onRunFinal).toHaveBeenCalledWith(deps, run);
    await settleLaunched(deps, run);
    expect(steps.settleLaunched).toHaveBeenCalledWith(deps, run);
  });
});
