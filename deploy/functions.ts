/**
 * The Lambda functions of the stack and what each may do. Each function gets its own role; the grants below
 * are the union of what its handler's code paths call (SPEC sections 3 and 4). Every function can see a run
 * end — a launch ECS refuses outright is final at once — so each may retry, alert (log lines) and pause.
 */
import type { Job } from "../src/jobspec/schema.ts";

export const FUNCTION_KEYS = ["schedule", "http", "instanceLaunch", "status", "sweeper"] as const;
export type FunctionKey = (typeof FUNCTION_KEYS)[number];

export interface Grants {
  /** Jobs this function may start with RunTask (and stop, for `concurrency: replace` and timeouts). */
  runTask: (jobs: readonly Job[]) => Job[];
  /** Jobs this function may start with StartTask (container instance launch). */
  startTask: (jobs: readonly Job[]) => Job[];
  /**
   * Jobs in whose clusters this function may StopTask: those it launches (replace policy, timeouts), and
   * for the HTTP API every job (POST /runs/{runId}/stop stops a run however it started), and so for the
   * sweeper, which sends a failed one again (src/app/owed-stops.ts).
   */
  stopTask: (jobs: readonly Job[]) => Job[];
  /** ListSchedules: the sweeper's missed-run check; the HTTP API's job state (PAUSED) in GET /jobs. */
  listSchedules: boolean;
  /** DescribeContainerInstances on its StartTask clusters: an instance's registration time, for the run id. */
  describeInstances: boolean;
}

const scheduled = (jobs: readonly Job[]) => jobs.filter((j) => j.spec.schedule);
const httpEnabled = (jobs: readonly Job[]) => jobs.filter((j) => j.spec.http);
const onLaunch = (jobs: readonly Job[]) => jobs.filter((j) => j.spec.onInstanceLaunch);
/** Retries start another attempt the way the first one started. */
const relaunchable = (jobs: readonly Job[]) => jobs.filter((j) => j.spec.schedule || j.spec.http);
const none = () => [];
const all = (jobs: readonly Job[]) => [...jobs];
const launched = (jobs: readonly Job[]) => [...relaunchable(jobs), ...onLaunch(jobs)];

export const FUNCTION_GRANTS: Record<FunctionKey, Grants> = {
  schedule: {
    runTask: scheduled,
    startTask: none,
    stopTask: scheduled,
    listSchedules: false,
    describeInstances: false,
  },
  http: {
    runTask: httpEnabled,
    startTask: none,
    stopTask: all,
    listSchedules: true,
    describeInstances: false,
  },
  instanceLaunch: {
    runTask: none,
    startTask: onLaunch,
    stopTask: none,
    listSchedules: false,
    describeInstances: true,
  },
  status: {
    runTask: relaunchable,
    startTask: onLaunch,
    stopTask: launched,
    listSchedules: false,
    describeInstances: false,
  },
  sweeper: {
    runTask: relaunchable,
    startTask: onLaunch,
    // Every job: it sends again a StopTask that failed, for a timeout or for a stop of any run (http, CLI).
    stopTask: all,
    listSchedules: true,
    describeInstances: false,
  },
};

/** The handler module of each function, as serverless.yml must declare it. */
export const HANDLERS: Record<FunctionKey, string> = {
  schedule: "handlers/schedule.handler",
  http: "handlers/http.handler",
  instanceLaunch: "handlers/instance-launch.handler",
  status: "handlers/status.handler",
  sweeper: "handlers/sweeper.handler",
};

export const roleLogicalId = (key: FunctionKey): string =>
  `EcsJobs${key[0]?.toUpperCase()}${key.slice(1)}Role`;
