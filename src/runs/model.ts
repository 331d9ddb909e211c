/** The run as SPEC section 4 defines it: what the API, `--json` and alerts show. */
import type { RunOverrides } from "../launch/requests.ts";

export const RUN_STATUSES = [
  "PENDING",
  "RUNNING",
  "SUCCEEDED",
  "FAILED",
  "TIMED_OUT",
  "MISSED",
  "SKIPPED",
  "CANCELLED",
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const FINAL_STATUSES: ReadonlySet<RunStatus> = new Set([
  "SUCCEEDED",
  "FAILED",
  "TIMED_OUT",
  "MISSED",
  "SKIPPED",
  "CANCELLED",
]);
export const isFinal = (s: RunStatus): boolean => FINAL_STATUSES.has(s);

export type TriggerKind = "schedule" | "http" | "cli" | "instanceLaunch" | "retry";

export interface Trigger {
  kind: TriggerKind;
  /** Scheduler execution id, API request id, instance ARN … — what makes a retried invocation recognisable. */
  id: string;
  /** For scheduled runs: the fire time the scheduler meant. */
  scheduledTime?: string;
  /** Who asked (IAM principal, "cli", "local"). */
  by?: string;
}

export interface RunFailure {
  arn?: string;
  reason: string;
  detail?: string;
}

export interface ContainerState {
  name: string;
  exitCode?: number;
  reason?: string;
  lastStatus?: string;
  /** Whether ECS considers the container essential; absent = unknown (treated as essential). */
  essential?: boolean;
}

export interface TaskState {
  taskArn: string;
  lastStatus: string;
  /** `detail.version` of the newest event applied; older events never overwrite newer ones. */
  version?: number;
  /** True once the task was seen RUNNING (or with startedAt): it did start. */
  started?: boolean;
  stopCode?: string;
  stoppedReason?: string;
  startedAt?: string;
  stoppedAt?: string;
  containers: ContainerState[];
}

export interface Run {
  runId: string;
  job: string;
  status: RunStatus;
  trigger: Trigger;
  attempt: number;
  /** The first run of a retry lineage (itself for attempt 1). */
  lineageId?: string;
  createdAt: string;
  startedAt?: string;
  stoppedAt?: string;
  /** How many tasks the run asked for. */
  expectedTasks?: number;
  hint?: string;
  /** For a CANCELLED run that `concurrency: replace` stopped: the run that replaced it. */
  cancelledBy?: string;
  /** Free-form notes on what the launcher did (spot fallback, replaced run …). */
  notes?: string[];
  failures: RunFailure[];
  tasks: TaskState[];
  /**
   * The overrides this run was asked for (HTTP body, CLI --set), kept so a retry launches the same thing.
   * Environment values may be secrets: whatever shows a run shows it through `redactSecrets` (src/alerts/redact.ts).
   */
  overrides?: RunOverrides;
}
