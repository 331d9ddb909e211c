/** Measuring helpers shared by the benchmarks: timing of whole commands, medians, interleaved baselines. */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const ROOT = join(import.meta.dirname, "..");
export const NODE = join(ROOT, "node_modules", ".bin", "node");
export const BIN = join(ROOT, "bin", "ecs-jobs.js");

export interface Row {
  benchmark: string;
  baseline: string;
  /** Median of the measured thing and of its baseline, in the unit given. */
  measured: number;
  base?: number;
  unit: string;
  /** measured / base (or the figure itself for rows without a baseline). */
  ratio?: number;
  goal: string;
  met: boolean;
  notes?: string;
}

export interface BenchOptions {
  /** Tiny sizes and one repetition: for the smoke test that keeps the benchmarks from rotting. */
  quick: boolean;
}

export interface Benchmark {
  name: string;
  run(options: BenchOptions): Promise<Row[]>;
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Wall time of one command in ms; throws if it fails (a benchmark of a failing command measures nothing). */
export function timeCommand(
  cmd: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, {
    cwd: options.cwd ?? ROOT,
    env: options.env ?? process.env,
    encoding: "utf8",
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0)
    throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}: ${r.stderr?.slice(0, 500)}`);
  return ms;
}

/**
 * Runs the subject and its baseline alternately, `rounds` times each, so that machine noise hits both
 * alike; returns the medians.
 */
export function interleaved(
  rounds: number,
  subject: () => number,
  baseline: () => number,
): { subject: number; base: number } {
  subject();
  baseline(); // warm the file cache for both
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < rounds; i++) {
    a.push(subject());
    b.push(baseline());
  }
  return { subject: median(a), base: median(b) };
}

export const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;

/** timeCommand for commands that talk to a server in this process: the event loop keeps running meanwhile. */
export function timeCommandAsync(
  cmd: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<number> {
  const start = process.hrtime.bigint();
  const child = spawn(cmd, args, {
    cwd: options.cwd ?? ROOT,
    env: options.env ?? process.env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
  });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (code === 0) resolve(ms);
      else reject(new Error(`${cmd} ${args.join(" ")} exited ${code}: ${stderr.slice(0, 500)}`));
    });
  });
}

/** interleaved() for async measurements. */
export async function interleavedAsync(
  rounds: number,
  subject: () => Promise<number>,
  baseline: () => Promise<number>,
): Promise<{ subject: number; base: number }> {
  await subject();
  await baseline();
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < rounds; i++) {
    a.push(await subject());
    b.push(await baseline());
  }
  return { subject: median(a), base: median(b) };
}

/** GNU time: the child's user and system CPU from wait4(), which Node's spawnSync does not report. */
const GNU_TIME = "/usr/bin/time";

/**
 * CPU time (user + sys) of one command in ms, from GNU time (`-f "%U %S"`, 10 ms resolution); throws if the
 * command fails, or with an install hint if /usr/bin/time is missing (Debian: apt-get install -y time).
 */
export function cpuCommand(
  cmd: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): number {
  const dir = mkdtempSync(join(tmpdir(), "ecs-jobs-bench-time-"));
  const out = join(dir, "time");
  try {
    const r = spawnSync(GNU_TIME, ["-f", "%U %S", "-o", out, cmd, ...args], {
      cwd: options.cwd ?? ROOT,
      env: options.env ?? process.env,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    if (r.error)
      throw new Error(`${GNU_TIME} does not run (${r.error.message}): apt-get install -y time`, {
        cause: r.error,
      });
    if (r.status !== 0)
      throw new Error(
        `${cmd} ${args.join(" ")} exited ${r.status}: ${`${r.stderr}${r.stdout}`.slice(0, 500)}`,
      );
    const [user, sys] = readFileSync(out, "utf8").trim().split("\n").at(-1)?.split(" ").map(Number) ?? [];
    if (user === undefined || sys === undefined || Number.isNaN(user + sys))
      throw new Error(`${GNU_TIME} wrote no CPU times for ${cmd}`);
    return (user + sys) * 1000;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
