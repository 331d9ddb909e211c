/**
 * The data dir at start (issue 20, items 13 and 14): one `ecs-jobs dev` per folder, refused at once with the
 * folder and the pid that holds it; a lock left by a crash is taken over; a folder that cannot be written and
 * a token too short to be a secret are one-line errors, never a stack trace; the folder is owner-only.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LOCK_FILE } from "../../local/data-dir.ts";
import { type LocalStack, startLocalStack } from "../../local/stack.ts";
import { EcsJobsError } from "../../src/errors.ts";
import { cli, cliProcess } from "../support/cli.ts";
import { fargate, tempProject } from "./support/stack.ts";

const JOBS = { hello: fargate("", "{ outcome: succeed, durationSeconds: 1 }") };
const TOKEN = "data-dir-token-0123456789";
const open: LocalStack[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function project() {
  const p = tempProject(JOBS);
  dirs.push(p.dir);
  return p;
}

async function start(p: { jobsDir: string; dataDir: string }, token = TOKEN) {
  const stack = await startLocalStack({
    jobsDir: p.jobsDir,
    dataDir: p.dataDir,
    port: 0,
    token,
    log: () => {},
  });
  open.push(stack);
  return stack;
}

async function refusal(promise: Promise<unknown>): Promise<EcsJobsError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EcsJobsError);
  return error as EcsJobsError;
}

describe("one ecs-jobs dev per data dir", () => {
  it("refuses a second stack on a folder in use, naming it and the pid; the first keeps serving", async () => {
    const p = project();
    const first = await start(p);
    const error = await refusal(start(p));
    expect(error.message).toBe(
      `data dir ${p.dataDir} is in use by ecs-jobs dev (pid ${process.pid}, started ${JSON.parse(readFileSync(join(p.dataDir, LOCK_FILE), "utf8")).startedAt}); stop it first, or choose another folder with --data-dir`,
    );
    const res = await fetch(`${first.httpUrl}/jobs`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
  });

  it("`ecs-jobs dev` says so in one line and exits 1, in its own process", async () => {
    const p = project();
    await start(p);
    const r = cliProcess(
      ["dev", "--jobs", p.jobsDir, "--data-dir", p.dataDir, "--port", "0", "--no-kickoff"],
      p.dir,
    );
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(
      new RegExp(
        `^error: data dir ${p.dataDir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is in use by ecs-jobs dev \\(pid ${process.pid}, `,
      ),
    );
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("takes over a lock whose process is gone, and releases its own at close", async () => {
    const p = project();
    mkdirSync(p.dataDir, { recursive: true });
    const dead = spawnSync(process.execPath, ["-e", ""]).pid as number;
    writeFileSync(
      join(p.dataDir, LOCK_FILE),
      JSON.stringify({ pid: dead, startedAt: "2026-01-01T00:00:00Z" }),
    );
    const stack = await start(p);
    expect(JSON.parse(readFileSync(join(p.dataDir, LOCK_FILE), "utf8")).pid).toBe(process.pid);
    await stack.close();
    open.length = 0;
    expect(existsSync(join(p.dataDir, LOCK_FILE))).toBe(false);
    // And the folder can be used again.
    await start(p);
  });
});

describe("the data dir and the token at start", () => {
  it("a folder that cannot be created is a one-line error naming it", async () => {
    const p = project();
    writeFileSync(join(p.dir, "a-file"), "");
    for (const dataDir of [join(p.dir, "a-file", ".ecs-jobs"), "/sys/ecs-jobs-cannot-be-here"]) {
      const error = await refusal(start({ jobsDir: p.jobsDir, dataDir }));
      expect(error.code).toBe("DataDirUnusable");
      expect(error.message).toContain(`data dir ${dataDir}: cannot`);
      expect(error.message).toContain("--data-dir");
    }
    const r = await cli(
      ["dev", "--jobs", p.jobsDir, "--data-dir", join(p.dir, "a-file", "x"), "--port", "0", "--no-kickoff"],
      { cwd: p.dir, env: { ECS_JOBS_TOKEN: TOKEN } },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: data dir .*a-file\/x: cannot create the folder \(ENOTDIR\)/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("the data dir is made owner-only, even one that existed", async () => {
    const p = project();
    mkdirSync(p.dataDir, { mode: 0o755 });
    await start(p);
    expect(statSync(p.dataDir).mode & 0o777).toBe(0o700);
  });

  it.each(["x", "short-token-15c"])("refuses ECS_JOBS_TOKEN %j: too short to be a secret", async (token) => {
    const p = project();
    const r = await cli(
      ["dev", "--jobs", p.jobsDir, "--data-dir", p.dataDir, "--port", "0", "--no-kickoff"],
      {
        cwd: p.dir,
        env: { ECS_JOBS_TOKEN: token },
      },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `error: ECS_JOBS_TOKEN is ${token.length} character(s) long; use at least 16 (or unset it to get a generated one)\n`,
    );
    expect(existsSync(p.dataDir)).toBe(false);
  });
});
