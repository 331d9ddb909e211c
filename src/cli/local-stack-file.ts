/**
 * How the CLI finds a running local stack: `ecs-jobs dev` writes `<dataDir>/stack.json` when it is up and
 * removes it when it stops. A file left behind by a crashed stack is recognised by its dead pid.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const STACK_FILE = "stack.json";

/** Where the local stack keeps its ledger, emulator state and this file, relative to the working folder. */
export const DEFAULT_DATA_DIR = ".ecs-jobs";

export interface LocalStackInfo {
  /** HTTP API and dashboard. */
  httpUrl: string;
  /** ECS API emulator. */
  ecsUrl: string;
  /** dynalite, holding the run ledger. */
  dynamodbUrl: string;
  /** Local stand-in for EventBridge, SNS, Scheduler and CloudWatch Logs (alerts, pause/resume). */
  eventsUrl?: string;
  /** The schedule group of the stand-in Scheduler (pause/resume). */
  scheduleGroup?: string;
  /** Bearer token of the HTTP API. */
  token: string;
  /** The credentials the run ledger (dynalite) answers; the other stand-ins take any. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  pid: number;
  /** The ledger table and the region the stack's clients use. */
  tableName: string;
  region: string;
  /** Absolute jobs folder the stack serves. */
  jobsDir: string;
  startedAt: string;
}

export const stackFilePath = (dataDir: string): string => join(dataDir, STACK_FILE);

export function writeLocalStack(dataDir: string, info: LocalStackInfo): void {
  const path = stackFilePath(dataDir);
  // Written atomically with owner-only permissions: it holds the token.
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}

/** Removes the discovery file if it is still ours (a newer stack may have replaced it). */
export function removeLocalStack(dataDir: string, pid = process.pid): void {
  const current = readStackFile(dataDir);
  if (current && current.pid !== pid) return;
  rmSync(stackFilePath(dataDir), { force: true });
}

function readStackFile(dataDir: string): LocalStackInfo | undefined {
  let text: string;
  try {
    text = readFileSync(stackFilePath(dataDir), "utf8");
  } catch {
    return undefined;
  }
  try {
    const info = JSON.parse(text) as Partial<LocalStackInfo>;
    const urls = [info.httpUrl, info.ecsUrl, info.dynamodbUrl].every((u) => typeof u === "string" && u);
    if (!urls || typeof info.token !== "string" || !Number.isInteger(info.pid)) return undefined;
    return info as LocalStackInfo;
  } catch {
    return undefined;
  }
}

/** Whether a process with this pid exists (a pid file's owner, alive or crashed). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The running local stack of `dataDir` (default `.ecs-jobs` under the cwd), or undefined when none runs. */
export function readLocalStack(dataDir: string): LocalStackInfo | undefined {
  const info = readStackFile(dataDir);
  if (!info || !isAlive(info.pid)) return undefined;
  return info;
}
