/** Which jobs each function must be able to start, and how (SPEC sections 3 and 4). Independent of deploy/. */
import type { Job } from "../../src/jobspec/schema.ts";

export const FUNCTION_ROLES = {
  schedule: "EcsJobsScheduleRole",
  http: "EcsJobsHttpRole",
  instanceLaunch: "EcsJobsInstanceLaunchRole",
  status: "EcsJobsStatusRole",
  sweeper: "EcsJobsSweeperRole",
} as const;
export type FunctionKey = keyof typeof FUNCTION_ROLES;

export const MUST_LAUNCH: Record<FunctionKey, { run: (j: Job) => boolean; start: (j: Job) => boolean }> = {
  schedule: { run: (j) => Boolean(j.spec.schedule), start: () => false },
  http: { run: (j) => Boolean(j.spec.http), start: () => false },
  instanceLaunch: { run: () => false, start: (j) => j.spec.onInstanceLaunch },
  // Retries start another attempt the way the first one started.
  status: { run: (j) => Boolean(j.spec.schedule || j.spec.http), start: (j) => j.spec.onInstanceLaunch },
  sweeper: { run: (j) => Boolean(j.spec.schedule || j.spec.http), start: (j) => j.spec.onInstanceLaunch },
};
