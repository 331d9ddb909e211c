/** The emulator's state and the services its operations share: clusters, task definitions, events. */
import type { Cluster } from "@aws-sdk/client-ecs";
import { clusterNotFound, EcsApiError } from "./api-error.ts";
import { type ArnContext, clusterArn, clusterNameOf } from "./arns.ts";
import type { Clock } from "./emulator-clock.ts";
import {
  type ContainerInstanceStateChangeEvent,
  containerInstanceStateChangeEvent,
  type TaskStateChangeEvent,
  taskStateChangeEvent,
} from "./events.ts";
import type { ContainerOutput } from "./exec.ts";
import { Faults } from "./faults.ts";
import { type PhaseDurations, TaskLifecycle } from "./lifecycle.ts";
import { type RateLimitSettings, RunTaskRateLimits } from "./rate-limits.ts";
import type { ClusterRecord, ContainerInstanceRecord, TaskRecord } from "./records.ts";
import { type StateFile, Store } from "./store.ts";
import type { BehaviourResolver } from "./task-behaviour.ts";

export interface CoreOptions {
  region: string;
  accountId: string;
  clock: Clock;
  behaviour: BehaviourResolver;
  autoCreateClusters: boolean;
  phaseMs: PhaseDurations;
  execCwd: string;
  stoppedTaskRetentionMs: number;
  onContainerOutput: ((o: ContainerOutput) => void) | undefined;
  onTaskStateChange: ((e: TaskStateChangeEvent) => void | Promise<void>) | undefined;
  onContainerInstanceStateChange:
    | ((e: ContainerInstanceStateChangeEvent) => void | Promise<void>)
    | undefined;
  onError: (error: unknown) => void;
  stateFile: StateFile | undefined;
  /** RunTask throttled as AWS documents it (rate-limits.ts); undefined = never throttled. */
  rateLimits: RateLimitSettings | undefined;
}

/** Capacity providers every emulated cluster has, as a cluster created in the console gets them. */
export const FARGATE_PROVIDERS = ["FARGATE", "FARGATE_SPOT"];

export class EmulatorCore {
  readonly options: CoreOptions;
  readonly arn: ArnContext;
  readonly store = new Store();
  readonly faults = new Faults();
  readonly rateLimits: RunTaskRateLimits | undefined;
  readonly lifecycle: TaskLifecycle;
  /** Capacity provider name → whether it can place tasks now (unknown = yes). */
  readonly capacity = new Map<string, boolean>();
  /** RunTask calls under way, by `clusterArn clientToken`. */
  readonly inflight = new Map<string, Promise<unknown>>();
  private delivery: Promise<void> = Promise.resolve();
  private readonly taskWatchers = new Set<(rec: TaskRecord) => void>();

  constructor(options: CoreOptions) {
    this.options = options;
    this.arn = { region: options.region, accountId: options.accountId };
    this.rateLimits = options.rateLimits && new RunTaskRateLimits(options.clock, options.rateLimits);
    this.lifecycle = new TaskLifecycle({
      clock: options.clock,
      region: options.region,
      accountId: options.accountId,
      phaseMs: options.phaseMs,
      execCwd: options.execCwd,
      onOutput: options.onContainerOutput,
      onChange: (rec) => this.taskChanged(rec),
      onError: options.onError,
    });
  }

  now(): Date {
    return new Date(this.options.clock.now());
  }

  persist(): void {
    this.options.stateFile?.schedule(this.store);
  }

  /**
   * Before a task is created: the state file must be writable now, or nothing is started. A task the
   * emulator cannot store would be lost at the next restart and leave its run RUNNING; the caller gets a
   * ServerException naming the file instead of a task. A probe, not a write of the whole state: that made
   * each RunTask of a 10,000-task fan-out cost as much as the state is large. The task itself reaches the
   * file with the write its creation schedules.
   */
  ensureStateWritable(): void {
    const file = this.options.stateFile;
    if (!file) return;
    try {
      file.probe();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new EcsApiError(
        "ServerException",
        `The ECS emulator cannot store its state in ${file.path} (${code}); no task was started. Make the data dir writable.`,
      );
    }
  }

  /** Events go out one at a time, in order; a failing listener is reported and does not stop the emulator. */
  private deliver(
    listener: ((e: never) => void | Promise<void>) | undefined,
    event: unknown,
    times = 1,
  ): void {
    if (!listener) return;
    for (let i = 0; i < times; i++) {
      this.delivery = this.delivery.then(async () => {
        try {
          await (listener as (e: unknown) => void | Promise<void>)(structuredClone(event));
        } catch (e) {
          this.options.onError(e);
        }
      });
    }
  }

  /** Resolves once every event emitted so far has been handled by the listeners. */
  async idle(): Promise<void> {
    let current: Promise<void>;
    do {
      current = this.delivery;
      await current;
    } while (current !== this.delivery);
  }

  taskChanged(rec: TaskRecord): void {
    const event = taskStateChangeEvent(rec, { ...this.arn, now: this.options.clock.now() });
    this.deliver(this.options.onTaskStateChange, event, this.faults.eventDeliveries());
    this.persist();
    for (const w of this.taskWatchers) w(rec);
  }

  instanceChanged(rec: ContainerInstanceRecord): void {
    const event = containerInstanceStateChangeEvent(rec, { ...this.arn, now: this.options.clock.now() });
    this.deliver(this.options.onContainerInstanceStateChange, event);
    this.persist();
  }

  watchTasks(watcher: (rec: TaskRecord) => void): () => void {
    this.taskWatchers.add(watcher);
    return () => this.taskWatchers.delete(watcher);
  }

  createCluster(
    name: string,
    extra: Partial<
      Pick<Cluster, "tags" | "settings" | "capacityProviders" | "defaultCapacityProviderStrategy">
    > = {},
  ): ClusterRecord {
    const existing = this.store.clusters.get(name);
    if (existing) return existing;
    const rec: ClusterRecord = {
      cluster: {
        clusterArn: clusterArn(this.arn, name),
        clusterName: name,
        status: "ACTIVE",
        registeredContainerInstancesCount: 0,
        runningTasksCount: 0,
        pendingTasksCount: 0,
        activeServicesCount: 0,
        statistics: [],
        tags: extra.tags ?? [],
        settings: extra.settings ?? [{ name: "containerInsights", value: "disabled" }],
        capacityProviders: extra.capacityProviders ?? [...FARGATE_PROVIDERS],
        defaultCapacityProviderStrategy: extra.defaultCapacityProviderStrategy ?? [],
      },
    };
    this.store.clusters.set(name, rec);
    this.persist();
    return rec;
  }

  /**
   * The cluster a request names (default "default"). Unknown names are created when autoCreateClusters is
   * on, which spares local users a CreateCluster call; otherwise ClusterNotFoundException, as ECS answers.
   */
  cluster(ref: string | undefined): ClusterRecord {
    const name = clusterNameOf(this.arn, ref ?? "default");
    const found = name === undefined ? undefined : this.store.clusters.get(name);
    if (found) return found;
    if (name !== undefined && this.options.autoCreateClusters && /^[a-zA-Z0-9_-]{1,255}$/.test(name))
      return this.createCluster(name);
    throw clusterNotFound();
  }

  /** Tasks of a cluster still visible to the API: ECS forgets stopped tasks after about an hour. */
  visibleTasks(clusterArn?: string): TaskRecord[] {
    const horizon = this.options.clock.now() - this.options.stoppedTaskRetentionMs;
    const out: TaskRecord[] = [];
    for (const [arn, rec] of this.store.tasks) {
      const stoppedAt = rec.task.stoppedAt?.getTime();
      if (stoppedAt !== undefined && stoppedAt < horizon) {
        this.store.tasks.delete(arn);
        this.persist();
        continue;
      }
      if (clusterArn === undefined || rec.task.clusterArn === clusterArn) out.push(rec);
    }
    return out;
  }
}
