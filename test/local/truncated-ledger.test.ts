/**
 * A run ledger whose LevelDB log file was cut short (issue 20, item 7): LevelDB recovers it "as far as it
 * reads", without an error, so the runs written last would be lost without a word. The stack must refuse to
 * start, naming the folder and the runs lost, and leave the damaged files as they are.
 *
 * The oracle is apart from the code under test: which runs a cut loses is read here from LevelDB itself,
 * comparing each run's revision in a copy of the intact ledger with its revision in a copy of the cut one.
 */
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Level } from "level";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalStack, startLocalStack } from "../../local/stack.ts";
import { EcsJobsError } from "../../src/errors.ts";
import { api, FAST_PHASES, fargate, startRun, tempProject, waitForRun } from "./support/stack.ts";

const JOBS = { hello: fargate("http: true\n", "{ outcome: succeed, durationSeconds: 0.05 }") };
const TOKEN = "truncated-ledger-token-0123456789";
const RUNS = 3;

const start = (p: { jobsDir: string; dataDir: string }): Promise<LocalStack> =>
  startLocalStack({
    jobsDir: p.jobsDir,
    dataDir: p.dataDir,
    port: 0,
    token: TOKEN,
    log: () => {},
    phaseMs: FAST_PHASES,
  });

/** Each run's revision in a LevelDB folder, read from a copy (opening LevelDB repairs what it opens). */
async function revisions(ledger: string): Promise<Map<string, number>> {
  const copy = mkdtempSync(join(tmpdir(), "ecs-jobs-ledger-oracle-"));
  const out = new Map<string, number>();
  try {
    cpSync(ledger, copy, { recursive: true });
    const db = new Level(copy, { createIfMissing: false });
    await db.open();
    for await (const [key, value] of db.iterator()) {
      if (!key.startsWith("item-")) continue;
      const item = JSON.parse(value) as { pk?: { S?: string }; rev?: { N?: string } };
      const pk = item.pk?.S ?? "";
      if (pk.startsWith("RUN#")) out.set(pk.slice(4), Number(item.rev?.N));
    }
    await db.close();
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
  return out;
}

const logFileOf = (ledger: string) => {
  const logs = readdirSync(ledger).filter((f) => f.endsWith(".log"));
  expect(logs).toHaveLength(1);
  return join(ledger, logs[0] as string);
};

const snapshotOf = (dir: string) =>
  Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f)).toString("base64")]));

let intact: { dir: string; jobsDir: string; dataDir: string };
let runIds: string[];
let truth: Map<string, number>;
let logSize: number;
const dirs: string[] = [];

beforeAll(async () => {
  intact = tempProject(JOBS);
  dirs.push(intact.dir);
  const stack = await start(intact);
  const a = api(stack);
  runIds = [];
  for (let i = 0; i < RUNS; i++) {
    const id = await startRun(a, "hello", {});
    await waitForRun(a, id);
    runIds.push(id);
  }
  await stack.close();
  const ledger = join(intact.dataDir, "ledger");
  truth = await revisions(ledger);
  logSize = statSync(logFileOf(ledger)).size;
});

afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A copy of the intact project whose ledger log is cut to `bytes`. */
function cutCopy(bytes: number) {
  const dir = mkdtempSync(join(tmpdir(), "ecs-jobs-cut-ledger-"));
  dirs.push(dir);
  cpSync(intact.dir, dir, { recursive: true });
  const p = { dir, jobsDir: join(dir, "jobs"), dataDir: join(dir, ".ecs-jobs") };
  const ledger = join(p.dataDir, "ledger");
  truncateSync(logFileOf(ledger), bytes);
  return { p, ledger };
}

describe("a run ledger whose log file was cut short", () => {
  it("holds every run before any damage (the oracle's own check)", () => {
    expect([...truth.keys()].sort()).toEqual([...runIds].sort());
    expect(logSize).toBeGreaterThan(1_000);
  });

  // Fractions of the log, and cuts inside its last record.
  const CUTS: [string, (size: number) => number][] = [
    ["to nothing", () => 0],
    ["to 1 byte", () => 1],
    ["at a quarter", (n) => Math.floor(n / 4)],
    ["at half", (n) => Math.floor(n / 2)],
    ["at three quarters", (n) => Math.floor((n * 3) / 4)],
    ["300 bytes short", (n) => n - 300],
    ["1 byte short", (n) => n - 1],
  ];

  it.each(CUTS)(
    "cut %s: refused naming the folder and every run lost, or nothing was lost",
    async (_what, at) => {
      const { p, ledger } = cutCopy(at(logSize));
      const after = await revisions(ledger);
      const lost = runIds.filter((id) => (after.get(id) ?? 0) < (truth.get(id) ?? 0));
      const before = snapshotOf(ledger);
      const outcome = await start(p).then(
        async (stack) => {
          await stack.close();
          return undefined;
        },
        (e: unknown) => e,
      );
      if (lost.length === 0) {
        expect(outcome).toBeUndefined();
        return;
      }
      expect(outcome).toBeInstanceOf(EcsJobsError);
      const message = (outcome as EcsJobsError).message;
      expect(message).toContain(ledger);
      for (const id of lost) expect(message).toContain(id);
      for (const id of runIds.filter((r) => !lost.includes(r))) expect(message).not.toContain(id);
      expect(message).toMatch(/move .*ledger-journal\.jsonl aside/);
      // The damaged files stay as they were: the cut log is not replayed, deleted or rewritten.
      expect(snapshotOf(ledger)).toEqual(before);
    },
  );

  it("loses something at most cuts (so the cases above are not all of the no-loss kind)", async () => {
    let losing = 0;
    for (const at of [0, Math.floor(logSize / 2), logSize - 300]) {
      const { ledger } = cutCopy(at);
      const after = await revisions(ledger);
      if (runIds.some((id) => (after.get(id) ?? 0) < (truth.get(id) ?? 0))) losing++;
    }
    expect(losing).toBe(3);
  });

  it("starts with what is left once the journal is moved aside, as the refusal says", async () => {
    const { p } = cutCopy(Math.floor(logSize / 2));
    const journal = join(p.dataDir, "ledger-journal.jsonl");
    await expect(start(p)).rejects.toThrow(/lost writes/);
    renameSync(journal, `${journal}.old`);
    const stack = await start(p);
    const listed = await api(stack).get<{ runs: { runId: string }[] }>("/jobs/hello/runs");
    await stack.close();
    expect(listed.status).toBe(200);
    // A fresh journal, of what the ledger holds now: the next start checks against that.
    expect(existsSync(journal)).toBe(true);
    const journaled = readFileSync(journal, "utf8")
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { runId: string }).runId);
    // The stack may have written runs since (its sweeper): their lines follow, so a run can appear twice.
    expect([...new Set(journaled)].sort()).toEqual(listed.body.runs.map((r) => r.runId).sort());
    await (await start(p)).close();
  });
});
