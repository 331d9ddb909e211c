/** What a CLI command needs from the world, passed in so tests can run the CLI in-process. */
import { EcsJobsError } from "../errors.ts";

import type { LocalStackLoader } from "./local-stack-port.ts";

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
  env: Record<string, string | undefined>;
  /** The local stack, for `ecs-jobs dev`: handed in by bin/ (see local-stack-port.ts). */
  localStack?: LocalStackLoader;
}

/** Exit codes of SPEC section 2. */
/** The jobs folder every command reads unless --jobs says otherwise (SPEC section 2). */
export const DEFAULT_JOBS_DIR = "jobs";

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
/** Ctrl+C while following a run: the run goes on, its result is not known here (128 + SIGINT, as shells do). */
export const EXIT_INTERRUPTED = 130;

/** Thrown by a command to end with a given exit code after printing its message. */
export class CliExit extends EcsJobsError {
  readonly exitCode: number;
  constructor(exitCode: number, message = "") {
    super("CliExit", message);
    this.exitCode = exitCode;
  }
}

export const usageError = (message: string): CliExit => new CliExit(EXIT_USAGE, message);

export const printJson = (io: CliIo, value: unknown): void =>
  io.stdout(`${JSON.stringify(value, null, 2)}\n`);

export function parsePositiveInt(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw usageError(`${flag} expects a positive integer, got "${value}"`);
  return n;
}
