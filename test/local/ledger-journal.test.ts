/** The run ledger's journal (local/ledger-journal.ts): reading it back, and what it says was lost. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  describeLoss,
  lostWrites,
  readJournal,
  runRevisionOf,
  writeJournal,
} from "../../local/ledger-journal.ts";
import { EcsJobsError } from "../../src/errors.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const file = (text?: string) => {
  const dir = mkdtempSync(join(tmpdir(), "ecs-jobs-journal-"));
  dirs.push(dir);
  const path = join(dir, "ledger-journal.jsonl");
  if (text !== undefined) writeFileSync(path, text);
  return path;
};

describe("the ledger journal", () => {
  it("keeps each run's highest revision, and ignores a last line cut mid-write", () => {
    const path = file(
      '{"runId":"r1","job":"a","rev":1}\n{"runId":"r1","job":"a","rev":3}\n{"runId":"r2","rev":2}\n{"runId":"r1","job":"a","rev":2}\n{"runId":"r3","re',
    );
    expect([...readJournal(path).values()]).toEqual([
      { runId: "r1", job: "a", rev: 3 },
      { runId: "r2", rev: 2 },
    ]);
  });

  it("is empty when there is none (a data dir from before the journal)", () => {
    expect(readJournal(file()).size).toBe(0);
  });

  it("refuses a damaged line that is not the last, naming the file and the line", () => {
    const path = file('{"runId":"r1","rev":1}\nnot json\n{"runId":"r2","rev":1}\n');
    expect(() => readJournal(path)).toThrow(EcsJobsError);
    expect(() => readJournal(path)).toThrow(`${path} is damaged at line 2`);
  });

  it("refuses a journal it cannot read (a folder in its place), naming it, without a stack trace", () => {
    const path = file();
    mkdirSync(path);
    expect(() => readJournal(path)).toThrow(EcsJobsError);
    expect(() => readJournal(path)).toThrow(`journal ${path} cannot be read (EISDIR)`);
  });

  it("reads back what it wrote", () => {
    const path = file();
    writeJournal(path, [
      { runId: "r1", job: "a", rev: 4 },
      { runId: "r2", rev: 1 },
    ]);
    expect([...readJournal(path).values()]).toEqual([
      { runId: "r1", job: "a", rev: 4 },
      { runId: "r2", rev: 1 },
    ]);
  });

  it("recognises the ledger's run items only", () => {
    expect(runRevisionOf({ pk: { S: "RUN#r1" }, rev: { N: "7" }, gsi1pk: { S: "JOB#hello" } })).toEqual({
      runId: "r1",
      job: "hello",
      rev: 7,
    });
    expect(runRevisionOf({ pk: { S: "SLOT#hello" }, holder: { S: "r1" } })).toBeUndefined();
    expect(runRevisionOf({ pk: { S: "RUN#r1" } })).toBeUndefined();
    expect(runRevisionOf(null)).toBeUndefined();
  });

  it("recognises the task items of a run stored in parts, each under its own key", () => {
    const part = runRevisionOf({ pk: { S: "TASKS#r1#3" }, rev: { N: "5" } });
    const placement = runRevisionOf({ pk: { S: "TASKPART#r1#arn:aws:ecs:eu-west-1:1:task/c/abc" } });
    expect(part).toEqual({ runId: "r1", rev: 5, item: "TASKS#r1#3" });
    expect(placement).toEqual({
      runId: "r1",
      rev: 0,
      item: "TASKPART#r1#arn:aws:ecs:eu-west-1:1:task/c/abc",
    });
    const path = file();
    writeJournal(path, [{ runId: "r1", rev: 2 }, part!, { ...part!, rev: 4 }, placement!]);
    expect([...readJournal(path).keys()]).toEqual(["r1", "TASKS#r1#3", placement!.item]);
    expect(describeLoss(lostWrites(readJournal(path), new Map([["r1", 2]])))).toBe(
      "2 item(s) of the tasks of runs stored in parts are gone (those runs lack tasks): r1 (its tasks' item TASKS#r1#3), r1 (its tasks' item TASKPART#r1#arn:aws:ecs:eu-west-1:1:task/c/abc)",
    );
  });

  it("names runs gone and runs behind their last acknowledged revision", () => {
    const journal = new Map([
      ["r1", { runId: "r1", job: "a", rev: 3 }],
      ["r2", { runId: "r2", job: "b", rev: 5 }],
      ["r3", { runId: "r3", rev: 2 }],
    ]);
    const loss = lostWrites(
      journal,
      new Map([
        ["r2", 4],
        ["r3", 2],
        ["r9", 1],
      ]),
    );
    expect(loss).toEqual({
      missing: [{ runId: "r1", job: "a", rev: 3 }],
      behind: [{ run: { runId: "r2", job: "b", rev: 5 }, held: 4 }],
    });
    expect(describeLoss(loss)).toBe(
      "1 run(s) are gone: r1 (a); 1 run(s) lost their last changes (their status and alerts may be out of date): r2 (b) at revision 4 of 5",
    );
  });

  it("lists five runs and counts the rest", () => {
    const journal = new Map(Array.from({ length: 8 }, (_, i) => [`r${i}`, { runId: `r${i}`, rev: 1 }]));
    expect(describeLoss(lostWrites(journal, new Map()))).toBe(
      "8 run(s) are gone: r0, r1, r2, r3, r4 and 3 more",
    );
  });
});
