/**
 * The local stack's data dir (`.ecs-jobs/`): made private to its owner, and held by one `ecs-jobs dev` at a
 * time. A second stack on the same folder would open the same LevelDB ledger (dynalite dies of it with an
 * uncaught "Database is closed") and write the same emulator state, so it is refused before anything opens,
 * naming the folder and the process that holds it. The lock is a file created exclusively (`wx`, atomic),
 * holding the pid and start time; one whose pid is gone was left by a crash and is taken over.
 */
import {
  chmodSync,
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { isAlive } from "../src/cli/local-stack-file.ts";
import { EcsJobsError } from "../src/host/wiring.ts";

export const LOCK_FILE = "dev.lock";

interface LockInfo {
  pid: number;
  startedAt: string;
}

/** Folder errors a user can act on (a read-only disk, no permission, a file in the way), by code. */
const UNUSABLE = new Set(["EACCES", "EPERM", "EROFS", "ENOTDIR", "EEXIST", "ENOSPC", "EISDIR", "ELOOP"]);

export const isUnusable = (error: unknown): boolean =>
  UNUSABLE.has((error as NodeJS.ErrnoException)?.code ?? "");

export function dataDirError(dir: string, what: string, error: unknown): EcsJobsError {
  const code = (error as NodeJS.ErrnoException).code;
  return new EcsJobsError(
    "DataDirUnusable",
    `data dir ${dir}: cannot ${what} (${code}); make it writable, or choose another folder with --data-dir`,
    { cause: error },
  );
}

function readLock(path: string): LockInfo | undefined {
  try {
    const info = JSON.parse(readFileSync(path, "utf8")) as Partial<LockInfo>;
    return Number.isInteger(info.pid)
      ? { pid: info.pid as number, startedAt: String(info.startedAt ?? "") }
      : undefined;
  } catch {
    return undefined;
  }
}

export interface DataDirLock {
  release(): void;
}

/** Creates `dir` (owner-only) and takes its lock; throws an EcsJobsError naming the folder when it cannot. */
export function claimDataDir(dir: string, now: Date): DataDirLock {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    if (isUnusable(error)) throw dataDirError(dir, "create the folder", error);
    throw error;
  }
  // Runs' overrides (secrets, maybe) and the token live here: nobody else on the machine reads them.
  try {
    const st = statSync(dir);
    if (!st.isDirectory()) throw Object.assign(new Error("not a directory"), { code: "ENOTDIR" });
    if ((st.mode & 0o077) !== 0 && st.uid === process.getuid?.()) chmodSync(dir, 0o700);
  } catch (error) {
    if (isUnusable(error)) throw dataDirError(dir, "use the folder", error);
    throw error;
  }
  const path = join(dir, LOCK_FILE);
  const mine: LockInfo = { pid: process.pid, startedAt: now.toISOString() };
  for (let attempt = 0; ; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, "wx", 0o600);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "EEXIST") {
        if (isUnusable(error)) throw dataDirError(dir, "write in the folder", error);
        throw error;
      }
      const held = readLock(path);
      if (held && isAlive(held.pid))
        throw new EcsJobsError(
          "DataDirInUse",
          `data dir ${dir} is in use by ecs-jobs dev (pid ${held.pid}${held.startedAt ? `, started ${held.startedAt}` : ""}); stop it first, or choose another folder with --data-dir`,
        );
      // Left by a stack that crashed (or half-written by one): take it over, once.
      if (attempt > 0)
        throw new EcsJobsError("DataDirInUse", `data dir ${dir}: another ecs-jobs dev is starting on it`);
      rmSync(path, { force: true });
      continue;
    }
    try {
      writeSync(fd, `${JSON.stringify(mine)}\n`);
    } finally {
      closeSync(fd);
    }
    break;
  }
  return {
    release() {
      if (readLock(path)?.pid === process.pid) rmSync(path, { force: true });
    },
  };
}
