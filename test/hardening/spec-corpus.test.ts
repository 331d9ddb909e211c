/**
 * The malformed-spec corpus (test/fixtures/malformed-specs) through the real CLI: every file, alone in a jobs
 * folder, must make `ecs-jobs validate --json` exit 1 with an issue at the place its first line names —
 * never a crash, a stack trace or a hang (each case has its own time limit). test/spec/broken-specs.test.ts
 * checks messages in-process; this corpus is about hostile files: syntax, bombs, bytes, sizes.
 *
 * First line of each file: `# expect: LINE:COL [PATH] (what is wrong)`; COL may be `*` where the parser's
 * own stack depth decides it; without PATH any field path is accepted.
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli, cliProcess } from "../support/cli.ts";

const CORPUS = join(import.meta.dirname, "..", "fixtures", "malformed-specs");
const EXPECT = /^# expect: (\d+):(\d+|\*)(?: ([^\s(][^\s]*))? \((.+)\)$/;

interface Case {
  file: string;
  line: number;
  column: number | "*";
  path?: string;
  what: string;
}

interface Issue {
  file: string;
  line: number;
  column: number;
  path: string;
  message: string;
}

function readCase(file: string): Case {
  const head = readFileSync(join(CORPUS, file), "utf8").split("\n", 1)[0] ?? "";
  const m = EXPECT.exec(head);
  if (!m) throw new Error(`${file}: first line is not "# expect: LINE:COL [PATH] (what)": ${head}`);
  const [, line, column, path, what] = m;
  return {
    file,
    line: Number(line),
    column: column === "*" ? "*" : Number(column),
    ...(path !== undefined && { path }),
    what: what ?? "",
  };
}

const cases = readdirSync(CORPUS)
  .filter((f) => f.endsWith(".yml"))
  .sort()
  .map(readCase);

const dirs: string[] = [];
/** A jobs folder holding only this corpus file, under its own name (the name makes the job name). */
function folderOf(c: Case): string {
  const dir = mkdtempSync(join(tmpdir(), "ecs-jobs-corpus-"));
  dirs.push(dir);
  copyFileSync(join(CORPUS, c.file), join(dir, c.file));
  return dir;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const at = (c: Case) => `${c.line}:${c.column}${c.path ? ` ${c.path}` : ""}`;
const matches = (c: Case, i: Issue) =>
  i.line === c.line &&
  (c.column === "*" || i.column === c.column) &&
  (c.path === undefined || i.path === c.path);

describe("malformed-spec corpus", () => {
  it("holds at least 50 files, each with a well-formed expectation", () => {
    expect(cases.length).toBeGreaterThanOrEqual(50);
    expect(new Set(cases.map((c) => c.what)).size).toBe(cases.length);
  });

  it.each(cases)("$file is rejected at its expected location", async (c) => {
    const dir = folderOf(c);
    const r = await cli(["validate", "--jobs", dir, "--json"], { cwd: dir });
    // No crash: main.ts prints "unexpected error" and a stack for anything it did not expect.
    expect(r.stderr).not.toMatch(/unexpected error|\n\s+at /);
    expect(r.code, `${c.what}\nstdout: ${r.stdout.slice(0, 2000)}\nstderr: ${r.stderr}`).toBe(1);
    const out = JSON.parse(r.stdout) as { valid: boolean; jobs: string[]; issues: Issue[] };
    expect(out.valid).toBe(false);
    expect(out.jobs).toEqual([]);
    expect(out.issues.every((i) => i.file === c.file && i.message.length > 0)).toBe(true);
    const found = out.issues.find((i) => matches(c, i));
    const got = out.issues
      .slice(0, 5)
      .map((i) => `${i.line}:${i.column} ${i.path}: ${i.message.slice(0, 200)}`);
    expect(found, `${c.what}: expected an issue at ${at(c)}, got\n${got.join("\n")}`).toBeDefined();
  });

  // The in-process runs above share one V8 stack with vitest; the real binary has its own. The two files
  // that push the parsers hardest go through it too.
  it.each(cases.filter((c) => /^(deep-flow-nesting|alias-billion-laughs)\.yml$/.test(c.file)))(
    "$file through the real ecs-jobs process",
    (c) => {
      const dir = folderOf(c);
      const r = cliProcess(["validate", "--jobs", dir, "--json"], dir);
      expect(r.stderr).not.toMatch(/unexpected error|\n\s+at /);
      expect(r.code).toBe(1);
      const issues = (JSON.parse(r.stdout) as { issues: Issue[] }).issues;
      expect(issues.some((i) => matches(c, i))).toBe(true);
    },
  );
});
