/** The run as SPEC section 4 defines it: what the API, `--json` and alerts show. */
import type { RunOverrides } from "../jobspec/requests.ts";

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

export type TriggerKind =
  | "schedule"
  | "http"
  | "cli"
  | "instanceLaunch"
  | "retry"
  /** A fire time found missed, launched again by policy.catchUp. */
  | "catchUp"
  /** A fire time launched by `ecs-jobs backfill`. */
  | "backfill";

export interface Trigger {
  kind: TriggerKind;
  /** Scheduler execution id, API request id, instance ARN … — what makes a retried invocation recognisable. */
  id: string;
  /** For scheduled, catch-up and backfill runs: the fire time the scheduler meant. */
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
  /** What the cost estimate needs (cost.ts), as ECS reports them; absent when it did not. */
  billing?: TaskBilling;
}

export interface TaskBilling {
  /** CPU units (1024 = 1 vCPU) and memory in MiB, as ECS reports them. */
  cpu?: string;
  memory?: string;
  launchType?: string;
  capacityProviderName?: string;
  platformFamily?: string;
  /** "arm64" or "x86_64", from the task's `ecs.cpu-architecture` attribute. */
  cpuArchitecture?: string;
  pullStartedAt?: string;
}

/** A finished run's compute, and an estimate of its price (SPEC section 6). */
export interface RunCost {
  vcpuSeconds: number;
  gbSeconds: number;
  /** An estimate from the price table in src/runs/fargate-prices.ts; absent where the table has no price. */
  usd?: number;
  pricing: {
    source: "estimate";
    region: string;
    /** The month the table's prices were taken from. */
    asOf: string;
    /** Why there is no usd, when there is none. */
    note?: string;
  };
}

/**
 * How far the launch of a run got, written with each batch's answer: a launch cut short (SIGTERM, a Lambda
 * timeout, a deliberate hand-off at the end of an invocation's time) is continued from `done` by the
 * sweeper once `leaseUntil` has passed, with the same per-batch clientTokens, so nothing launches twice.
 */
export interface LaunchProgress {
  /** RunTask calls the run needs in all. */
  batches: number;
  /** Calls answered and recorded, in order: the next one to send is batch `done`. */
  done: number;
  /** Until then the launcher that wrote this is taken to be alive; afterwards anyone may continue. */
  leaseUntil: string;
}

/** One container's image as ECS reported it in the run's task events (the digest once ECS resolved it). */
export interface RanImage {
  name: string;
  image?: string;
  imageDigest?: string;
}

/**
 * What the run's tasks actually ran, as their events told it: the task definition revision, each
 * container's image (and digest), and the overrides ECS applied. A failure alert compares it with the
 * job's last success ("changed since last success", src/alerts/changes.ts). Environment values in
 * `overrides` may be secrets: shown only through `redactSecrets`, like `overrides` below.
 */
export interface RanWith {
  taskDefinitionArn?: string;
  containers: RanImage[];
  /** The task's `overrides` as ECS reports them (containerOverrides, cpu, memory, roles …). */
  overrides?: Record<string, unknown>;
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
  /** Absent on runs launched before progress was recorded, and on StartTask runs. */
  launch?: LaunchProgress;
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
  /** Fargate and Fargate Spot runs, once final and every task stopped (cost.ts). */
  cost?: RunCost;
  /** What the tasks ran; absent until a task event said so (and on runs recorded before it was kept). */
  ran?: RanWith;
  /**
   * "pending" from the write that made a failed run final until its end-work (retry, alert, pause) is done:
   * the sweeper redoes it meanwhile (src/ledger/end-work.ts). Absent: done, or none to do.
   */
  endWork?: "pending";
  /**
   * "pending" from the write that made the run TIMED_OUT or CANCELLED until ECS accepted StopTask for each
   * of its tasks: a failed StopTask is sent again by the sweeper meanwhile (src/ledger/end-work.ts).
   */
  stopOwed?: "pending";
}

/**
 * Told by the ledger, from the one conditional write that did it, that a run was created or became final:
 * once per run each, whatever duplicates, retries and late events follow (src/runs/metrics.ts counts with it).
 * Called after the write, before the call returns. It must not throw: the write is done, and failing the
 * caller would only have it retried against a run that no longer changes.
 */
export interface RunTransitions {
  created(run: Run): void;
  ended(run: Run): void;
}
