/**
 * A hostile jobs folder (issue 20, item 10) through `ecs-jobs validate`: entries that are not regular files,
 * links out of the folder, files too large to be specs, two defaults files. Each is one issue naming its
 * file, all in one pass, exit 1, never a stack trace or a hang. FIFOs and links live in temporary folders,
 * removed after the tests.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BIN, cli, NODE } from "../support/cli.ts";
import { FARGATE_JOB } from "../support/spec.ts";

interface Issue {
  file: string;
  line: number;
  column: number;
  path: string;
  message: string;
}

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "ecs-jobs-folder-"));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A jobs folder with one valid job, `good.yml`, and what `setup` adds. */
function folder(setup: (jobs: string, outside: string) => void): string {
  const root = tempDir();
  const jobs = join(root, "jobs");
  mkdirSync(jobs);
  writeFileSync(join(jobs, "good.yml"), FARGATE_JOB);
  setup(jobs, root);
  return root;
}

async function validate(root: string) {
  const r = await cli(["validate", "--jobs", "jobs", "--json"], { cwd: root });
  expect(r.stderr).not.toMatch(/unexpected error|\n\s+at /);
  const out = JSON.parse(r.stdout) as { valid: boolean; jobs: string[]; issues: Issue[] };
  return {
    code: r.code,
    ...out,
    lines: out.issues.map((i) => `${i.file}:${i.line}:${i.column} ${i.message}`),
  };
}

const mkfifo = (path: string) => {
  const r = spawnSync("mkfifo", [path]);
  if (r.status !== 0) throw new Error(`mkfifo failed: ${r.stderr}`);
};

describe("a jobs folder with entries that are not spec files", () => {
  it("a directory named x.yml is reported by name", async () => {
    const r = await validate(folder((jobs) => mkdirSync(join(jobs, "x.yml"))));
    expect(r.code).toBe(1);
    expect(r.jobs).toEqual(["good"]);
    expect(r.lines).toEqual(["jobs/x.yml:1:1 not a regular file (a directory); a spec must be a file"]);
  });

  // Opening a FIFO for reading in blocking mode waits for a writer forever: this test would hang.
  it("a FIFO named a.yml is reported, not opened", async () => {
    const r = await validate(folder((jobs) => mkfifo(join(jobs, "a.yml"))));
    expect(r.code).toBe(1);
    expect(r.lines).toEqual(["jobs/a.yml:1:1 not a regular file (a FIFO); a spec must be a file"]);
  });

  it("a symbolic link to /dev/zero is refused, not read without end", async () => {
    const r = await validate(folder((jobs) => symlinkSync("/dev/zero", join(jobs, "zero.yml"))));
    expect(r.code).toBe(1);
    expect(r.lines).toEqual([
      "jobs/zero.yml:1:1 a symbolic link to /dev/zero, outside the jobs folder; specs are read from the folder only",
    ]);
  });

  it("a symbolic link to a file outside the folder is refused; one inside the folder is read", async () => {
    const r = await validate(
      folder((jobs, outside) => {
        writeFileSync(join(outside, "secret.yml"), FARGATE_JOB);
        symlinkSync(join(outside, "secret.yml"), join(jobs, "leak.yml"));
        mkdirSync(join(jobs, "shared"));
        writeFileSync(join(jobs, "shared", "inner.yml"), FARGATE_JOB);
        symlinkSync("shared/inner.yml", join(jobs, "linked.yml"));
        symlinkSync("nowhere.yml", join(jobs, "broken.yml"));
      }),
    );
    expect(r.code).toBe(1);
    expect(r.jobs).toEqual(["good", "linked"]);
    expect(r.lines).toEqual([
      "jobs/broken.yml:1:1 a symbolic link to nothing (nowhere.yml does not exist)",
      expect.stringMatching(
        /^jobs\/leak\.yml:1:1 a symbolic link to \/.*\/secret\.yml, outside the jobs folder; specs are read from the folder only$/,
      ),
    ]);
  });

  it("a file over 1 MiB is refused with its size and the limit", async () => {
    const r = await validate(
      folder((jobs) => writeFileSync(join(jobs, "big.yml"), `${FARGATE_JOB}# ${"x".repeat(1024 * 1024)}\n`)),
    );
    expect(r.code).toBe(1);
    expect(r.lines).toEqual([
      `jobs/big.yml:1:1 the file is ${(FARGATE_JOB.length + 1024 * 1024 + 3).toLocaleString("en-US")} bytes; a spec may be at most 1,048,576 bytes (1 MiB)`,
    ]);
  });

  it("defaults.yml beside defaults.yaml is an error, not one of them silently ignored", async () => {
    const r = await validate(
      folder((jobs) => {
        writeFileSync(join(jobs, "defaults.yml"), "task:\n  cluster: a\n");
        writeFileSync(join(jobs, "defaults.yaml"), "task:\n  cluster: b\n");
      }),
    );
    expect(r.code).toBe(1);
    expect(r.lines).toEqual([
      "jobs/defaults.yml:1:1 defaults.yaml is there too: keep one defaults file (this one was not read)",
    ]);
  });

  it("every problem of the folder in one pass", async () => {
    const r = await validate(
      folder((jobs) => {
        mkdirSync(join(jobs, "dir.yml"));
        mkfifo(join(jobs, "fifo.yml"));
        symlinkSync("/dev/zero", join(jobs, "zero.yml"));
        writeFileSync(join(jobs, "bad.yml"), "task: {}\n");
      }),
    );
    expect(r.code).toBe(1);
    expect(r.issues.map((i) => i.file)).toEqual([
      "jobs/bad.yml",
      "jobs/dir.yml",
      "jobs/fifo.yml",
      "jobs/zero.yml",
    ]);
  });
});

describe("a spec with 80,000 keys (under the size limit)", () => {
  // In its own process, so that a quadratic step makes it time out and fail instead of blocking the test
  // runner (synchronous code cannot be interrupted). Before: minutes; the limit is generous.
  it("is validated, each key reported at its line", { timeout: 120_000 }, () => {
    const root = folder((jobs) => {
      const keys = Array.from({ length: 80_000 }, (_, i) => `  k${i}: 1\n`).join("");
      writeFileSync(join(jobs, "keys.yml"), `task:\n  taskDefinition: t\n${keys}  k7: 2\n`);
      writeFileSync(join(jobs, "many.yml"), `task:\n  taskDefinition: t\n${keys}`);
    });
    const r = spawnSync(NODE, [BIN, "validate", "--jobs", "jobs", "--json"], {
      cwd: root,
      encoding: "utf8",
      timeout: 100_000,
      maxBuffer: 256 * 1024 * 1024,
    });
    expect(r.signal, "killed: validate did not finish in time").toBeNull();
    expect(r.status).toBe(1);
    const issues = (JSON.parse(r.stdout) as { issues: Issue[] }).issues;
    const keysIssues = issues.filter((i) => i.file === "jobs/keys.yml");
    expect(keysIssues.map((i) => `${i.line}:${i.column} ${i.message}`)).toEqual([
      "80003:3 invalid YAML: Map keys must be unique",
    ]);
    const many = issues.filter((i) => i.file === "jobs/many.yml");
    expect(many).toHaveLength(80_000);
    expect(many.at(-1)).toMatchObject({ line: 80_002, column: 3, path: "task.k79999" });
  });
});
