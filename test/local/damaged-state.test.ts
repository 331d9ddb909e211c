/**
 * A damaged data dir (issue 20, item 7) stops the start with one clear error naming the file and what to do,
 * never a silent reset: a corrupt schedules.json would re-enable paused jobs, a corrupt emulator state lose
 * its tasks, a removed or broken run ledger lose runs and their alerts without a word (or crash dynalite with
 * an uncaught "Database is closed").
 */
import { readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EcsJobsError } from "../../src/errors.ts";
import { api, fargate, startRun, waitForRun } from "./support/stack.ts";
import { stacksPerTest } from "./support/suite-stack.ts";

const JOBS = { hello: fargate("http: true\n", "{ outcome: succeed, durationSeconds: 0.05 }") };
const TOKEN = "damaged-state-token-0123456789";
const stacks = stacksPerTest(TOKEN);
const start = (p: { jobsDir: string; dataDir: string }) => stacks.start(p);

/** A data dir that ran once: a run in the ledger, state files written, stack stopped. */
async function usedProject() {
  const p = stacks.project(JOBS);
  const stack = await start(p);
  const a = api(stack);
  await waitForRun(a, await startRun(a, "hello", {}));
  await stack.close();
  // Once more: LevelDB writes the first start's log into a table file (.ldb) when it opens it again.
  await (await start(p)).close();
  stacks.forget();
  return p;
}

async function refusal(p: { jobsDir: string; dataDir: string }): Promise<EcsJobsError> {
  const error = await start(p).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EcsJobsError);
  return error as EcsJobsError;
}

describe("a damaged data dir", () => {
  it("a corrupt schedules.json is refused, naming it, instead of resuming paused jobs", async () => {
    const p = await usedProject();
    const file = join(p.dataDir, "schedules.json");
    writeFileSync(file, '{"version":2,"schedules":{"hel');
    const error = await refusal(p);
    expect(error.message).toContain(file);
    expect(error.message).toMatch(/move it aside/i);
  });

  it("a corrupt emulator state file is refused, naming it", async () => {
    const p = await usedProject();
    const file = join(p.dataDir, "ecs-emulator.json");
    writeFileSync(file, "{not json");
    const error = await refusal(p);
    expect(error.message).toContain(file);
    expect(error.message).toMatch(/move it aside/i);
    expect(error.message).not.toMatch(/^SyntaxError/);
  });

  it.each([
    ["the ledger folder removed", (ledger: string) => rmSync(ledger, { recursive: true })],
    ["its CURRENT file removed", (ledger: string) => rmSync(join(ledger, "CURRENT"))],
    [
      "its table files removed",
      (ledger: string) => {
        const tables = readdirSync(ledger).filter((n) => /\.(ldb|sst)$/.test(n));
        expect(tables.length).toBeGreaterThan(0);
        for (const f of tables) rmSync(join(ledger, f));
      },
    ],
  ])("a run ledger with %s is refused, naming the folder", async (_what, damage) => {
    const p = await usedProject();
    const ledger = join(p.dataDir, "ledger");
    damage(ledger);
    const error = await refusal(p);
    expect(error.message).toContain(ledger);
    expect(error.message).toMatch(/move .* aside/);
  });
});
