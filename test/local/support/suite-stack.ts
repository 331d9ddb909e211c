/**
 * The two set-ups the local stack's integration tests repeat: one stack for a whole describe block (operate,
 * reload, logs), and stacks started and restarted on one data dir, each closed after its test (damaged
 * state, lost state).
 */
import { rmSync } from "node:fs";
import { afterAll, afterEach, beforeAll } from "vitest";
import { type LocalStack, type LocalStackOptions, startLocalStack } from "../../../local/stack.ts";
import { type Api, api, FAST_PHASES, tempProject } from "./stack.ts";

type ExtraOptions = Partial<Omit<LocalStackOptions, "jobsDir" | "dataDir">>;

/**
 * A stack on a fresh project with `jobs`, started before the block's tests and closed (project removed)
 * after them. `prepare` writes what needs the project's folder first (files named after it).
 */
export function stackForSuite(
  jobs: Record<string, string>,
  options: ExtraOptions = {},
  prepare?: (project: ReturnType<typeof tempProject>) => void,
): { project: ReturnType<typeof tempProject>; api: Api; stack: () => LocalStack } {
  const project = tempProject(jobs);
  let started: LocalStack | undefined;
  const stack = () => {
    if (!started) throw new Error("the suite's stack is not started (used outside a test?)");
    return started;
  };
  beforeAll(async () => {
    prepare?.(project);
    started = await startLocalStack({
      jobsDir: project.jobsDir,
      dataDir: project.dataDir,
      port: 0,
      log: () => {},
      phaseMs: FAST_PHASES,
      ...options,
    });
  });
  afterAll(async () => {
    await started?.close();
    rmSync(project.dir, { recursive: true, force: true });
  });
  // api() reads the URL and token at each call, so it can be made before the stack is.
  const address = {
    get httpUrl() {
      return stack().httpUrl;
    },
    get token() {
      return stack().token;
    },
  };
  return { project, api: api(address), stack };
}

/**
 * Stacks started by a test on projects of its own (restarts on one data dir), every one closed and every
 * project removed after each test.
 */
export function stacksPerTest(token: string): {
  project(jobs: Record<string, string>): ReturnType<typeof tempProject>;
  start(p: { jobsDir: string; dataDir: string }, options?: ExtraOptions): Promise<LocalStack>;
  /** Forgets the stacks started so far, which the test closed itself. */
  forget(): void;
} {
  const open: LocalStack[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  return {
    project(jobs) {
      const p = tempProject(jobs);
      dirs.push(p.dir);
      return p;
    },
    async start(p, options = {}) {
      const stack = await startLocalStack({
        jobsDir: p.jobsDir,
        dataDir: p.dataDir,
        port: 0,
        token,
        log: () => {},
        phaseMs: FAST_PHASES,
        ...options,
      });
      open.push(stack);
      return stack;
    },
    forget() {
      open.length = 0;
    },
  };
}
