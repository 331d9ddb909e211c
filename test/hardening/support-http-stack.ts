/**
 * The local stack the hardening tests attack: a few jobs with different `http.allowOverrides`, started
 * in-process on free ports (as test/local/stack.test.ts does), every log line captured.
 */
import { rmSync } from "node:fs";
import { createOffsetClock } from "../../local/offset-clock.ts";
import { type LocalStack, startLocalStack } from "../../local/stack.ts";
import { FAST_PHASES, tempProject } from "../local/support/stack.ts";

const task = (overrides: string) => `task:
  cluster: hardening
  taskDefinition: app
  launchType: FARGATE
  network: { subnets: [subnet-0abc] }
  overrides:
    containers:
      - name: app
${overrides}`;

/** Every job's own overrides: what a caller may change only where the allowlist says so. */
const APP = `        command: [run, base]
        environment: { BASE: base-value, ALLOWED: job-default }
`;

export const HARDENING_JOBS: Record<string, string> = {
  // Some names, the default container's command and a count.
  open: `http:
  allowOverrides: [command, count, environment.ALLOWED, environment.TOKEN, app.environment.APP_ONLY]
${task(APP)}policy: { concurrency: allow }
local: { outcome: succeed, durationSeconds: 0.05 }
`,
  // Any environment variable and the task size, nothing else.
  wide: `http:
  allowOverrides: ["environment.*", cpu, memory]
${task(APP)}local: { outcome: succeed, durationSeconds: 0.05 }
`,
  // HTTP-enabled, no overrides at all.
  locked: `http: true
${task(APP)}local: { outcome: succeed, durationSeconds: 0.05 }
`,
  // One run at a time: a second POST while it runs is a 409.
  solo: `http:
  allowOverrides: [environment.ALLOWED]
${task(APP)}policy: { concurrency: forbid }
local: { outcome: succeed, durationSeconds: 0.3 }
`,
  // Schedule only: POST is a 403.
  sched: `schedule: { expression: "cron(0 0 1 1 ? 2099)" }
${task(APP)}local: { outcome: succeed, durationSeconds: 0.05 }
`,
  // Fails, and alerts (the secrets test drives it).
  failing: `http:
  allowOverrides: [environment.TOKEN]
alerts: { on: [FAILED], snsTopicArn: "arn:aws:sns:eu-west-1:111122223333:ops" }
${task(APP)}local: { outcome: "exit:3", durationSeconds: 0.05 }
`,
};

export interface HardeningStack {
  stack: LocalStack;
  /** Every line the stack logged so far (handlers, HTTP server, emulator, alerts). */
  logs: string[];
  close(): Promise<void>;
}

export async function startHardeningStack(jobs = HARDENING_JOBS): Promise<HardeningStack> {
  const project = tempProject(jobs);
  const logs: string[] = [];
  const stack = await startLocalStack({
    jobsDir: project.jobsDir,
    dataDir: project.dataDir,
    port: 0,
    clock: createOffsetClock(),
    log: (line) => logs.push(line),
    logLevel: "debug",
    phaseMs: FAST_PHASES,
    schedulerPollMs: 1_000,
    retryDelaysMs: [50, 100],
    discoveryFile: false,
  });
  return {
    stack,
    logs,
    async close() {
      await stack.close();
      rmSync(project.dir, { recursive: true, force: true });
    },
  };
}
