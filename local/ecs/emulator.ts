/**
 * The ECS API emulator of local mode (SPEC section 5): an HTTP endpoint on 127.0.0.1 that the AWS SDK and
 * CLI talk to through their endpoint setting, plus controls that ECS itself does not have (container
 * instances joining, capacity, faults, a clock) so that tests and `ecs-jobs dev` can stage situations.
 */
import type { AddressInfo } from "node:net";
import type {
  Cluster,
  ContainerInstance,
  RegisterTaskDefinitionRequest,
  Task,
  TaskDefinition,
} from "@aws-sdk/client-ecs";
import { createEcsServer, type EmulatorCall } from "./api-server.ts";
import { addContainerInstance, type ContainerInstanceAttrs, removeContainerInstance } from "./clusters.ts";
import { EmulatorCore } from "./core.ts";
import type { Clock } from "./emulator-clock.ts";
import { realClock } from "./emulator-clock.ts";
import type { ContainerInstanceStateChangeEvent, TaskStateChangeEvent } from "./events.ts";
import type { ContainerOutput } from "./exec.ts";
import type { Faults } from "./faults.ts";
import { DEFAULT_PHASE_MS, type PhaseDurations } from "./lifecycle.ts";
import { EmulatorNotFoundError } from "./not-found.ts";
import { FARGATE_RATE_LIMITS, type RateLimitSettings } from "./rate-limits.ts";
import { checkRequest } from "./request-check.ts";
import { type EmulatorSnapshot, StateFile } from "./store.ts";
import { type BehaviourResolver, DEFAULT_BEHAVIOUR } from "./task-behaviour.ts";
import { registerTaskDefinition } from "./task-definition-ops.ts";
import { taskView } from "./task-ops.ts";

export interface EcsEmulatorOptions {
  /** 0 (default) = any free port. */
  port?: number | undefined;
  host?: string | undefined;
  region?: string | undefined;
  accountId?: string | undefined;
  /** What each task does; default: succeed after 1 second RUNNING. */
  behaviour?: BehaviourResolver | undefined;
  onTaskStateChange?: ((e: TaskStateChangeEvent) => void | Promise<void>) | undefined;
  onContainerInstanceStateChange?:
    | ((e: ContainerInstanceStateChangeEvent) => void | Promise<void>)
    | undefined;
  /** An event listener threw, or a background step failed (state file write, local process); default: stderr. */
  onError?: ((error: unknown) => void) | undefined;
  /** Output of `exec` containers; default: discarded. */
  onContainerOutput?: ((o: ContainerOutput) => void) | undefined;
  clock?: Clock | undefined;
  /** Keep state in this JSON file and pick it up again on start (in-flight tasks resume). */
  stateFile?: string | undefined;
  /**
   * Unknown cluster names are created on first use. Default false: ClusterNotFoundException, as ECS answers,
   * so a misspelled `task.cluster` fails locally as it would in AWS.
   */
  autoCreateClusters?: boolean | undefined;
  /** How long each lifecycle step takes, in ms. */
  phaseMs?: Partial<PhaseDurations> | undefined;
  /** Working directory of `exec` processes (default: the current directory). */
  execCwd?: string | undefined;
  /** How long stopped tasks stay visible to DescribeTasks/ListTasks (default: 1 hour, as ECS). */
  stoppedTaskRetentionMs?: number | undefined;
  /**
   * Throttle RunTask as AWS does (rate-limits.ts), on `clock`: true = the documented Fargate figures.
   * Default off, so that tests launching many tasks in real time are not slowed to 20 tasks a second.
   */
  rateLimits?: boolean | RateLimitSettings | undefined;
}

export interface EcsEmulator {
  /** `http://host:port`: the endpoint for the SDK (`endpoint`) and the CLI (`--endpoint-url`). */
  readonly url: string;
  readonly port: number;
  readonly region: string;
  readonly accountId: string;
  readonly faults: Pick<Faults, "set" | "clear" | "get">;
  /**
   * Stops moving tasks (no more state changes, local processes killed) and resolves once the events already
   * emitted are delivered; the API still answers, so that handlers still running can finish. close() after.
   */
  quiesce(): Promise<void>;
  close(): Promise<void>;
  createCluster(name: string, capacityProviders?: string[]): Cluster;
  /** RegisterTaskDefinition without HTTP (same checks). */
  registerTaskDefinition(input: RegisterTaskDefinitionRequest): TaskDefinition;
  /** An EC2 instance's agent registering with a cluster; emits "ECS Container Instance State Change". */
  addContainerInstance(cluster: string, attrs?: ContainerInstanceAttrs): ContainerInstance;
  removeContainerInstance(containerInstanceArn: string): void;
  /** Whether a capacity provider (FARGATE, FARGATE_SPOT, or an instance provider) can place tasks now. */
  setCapacityAvailable(provider: string, available: boolean): void;
  /** Every task still known, as DescribeTasks would show it (with tags). */
  tasks(): readonly Task[];
  /** How many tasks `tasks()` would list, without building their views (pollers of a 10,000-task fan-out). */
  taskCount(): number;
  /** RunTask requests answered ThrottlingException by the rate limits (not by injected faults). */
  throttledRunTasks(): number;
  /** Every request served, in order, with its answer. */
  calls(): readonly EmulatorCall[];
  clearCalls(): void;
  snapshot(): EmulatorSnapshot;
  /** Resolves when every event emitted so far has been delivered to the listeners. */
  idle(): Promise<void>;
  /** Resolves with the task once `until` holds for it (checked now and on every change). */
  waitForTask(taskArn: string, until: string | ((t: Task) => boolean)): Promise<Task>;
}

export async function startEcsEmulator(opts: EcsEmulatorOptions = {}): Promise<EcsEmulator> {
  const region = opts.region ?? "eu-west-1";
  const accountId = opts.accountId ?? "000000000000";
  const onError =
    opts.onError ??
    ((e: unknown) =>
      process.stderr.write(`ecs emulator: event listener failed: ${(e as Error).stack ?? e}\n`));
  const stateFile = opts.stateFile ? new StateFile(opts.stateFile, onError) : undefined;
  const core = new EmulatorCore({
    region,
    accountId,
    clock: opts.clock ?? realClock,
    behaviour: opts.behaviour ?? (() => DEFAULT_BEHAVIOUR),
    autoCreateClusters: opts.autoCreateClusters ?? false,
    phaseMs: { ...DEFAULT_PHASE_MS, ...opts.phaseMs },
    execCwd: opts.execCwd ?? process.cwd(),
    stoppedTaskRetentionMs: opts.stoppedTaskRetentionMs ?? 60 * 60 * 1000,
    onContainerOutput: opts.onContainerOutput,
    onTaskStateChange: opts.onTaskStateChange,
    onContainerInstanceStateChange: opts.onContainerInstanceStateChange,
    onError,
    stateFile,
    rateLimits: opts.rateLimits === true ? FARGATE_RATE_LIMITS : opts.rateLimits || undefined,
  });
  const saved = stateFile?.read();
  if (saved) core.store.restore(saved);
  core.createCluster("default");
  for (const rec of core.store.tasks.values()) core.lifecycle.resume(rec);

  const log: EmulatorCall[] = [];
  const server = createEcsServer(core, log, onError);
  const host = opts.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closed = false;

  return {
    url: `http://${host}:${port}`,
    port,
    region,
    accountId,
    faults: core.faults,
    async quiesce() {
      core.lifecycle.dispose();
      await core.idle();
    },
    async close() {
      if (closed) return;
      closed = true;
      core.lifecycle.dispose();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await core.idle();
      stateFile?.write(core.store);
    },
    createCluster(name, capacityProviders) {
      checkRequest("CreateCluster", { clusterName: name });
      return structuredClone(
        core.createCluster(name, capacityProviders ? { capacityProviders } : {}).cluster,
      );
    },
    registerTaskDefinition(input) {
      checkRequest("RegisterTaskDefinition", input);
      return structuredClone(registerTaskDefinition(core, input).taskDefinition);
    },
    addContainerInstance: (cluster, attrs) => addContainerInstance(core, cluster, attrs),
    removeContainerInstance: (arn) => removeContainerInstance(core, arn),
    setCapacityAvailable(provider, available) {
      core.capacity.set(provider, available);
    },
    tasks: () => core.visibleTasks().map((r) => taskView(r, true)),
    taskCount: () => core.visibleTasks().length,
    throttledRunTasks: () => core.rateLimits?.throttled ?? 0,
    calls: () => log,
    clearCalls() {
      log.length = 0;
    },
    snapshot: () => core.store.snapshot(),
    idle: () => core.idle(),
    waitForTask(taskArn, until) {
      const test = typeof until === "string" ? (t: Task) => t.lastStatus === until : until;
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const rec = core.store.tasks.get(taskArn);
          if (!rec) {
            reject(new EmulatorNotFoundError(`task ${taskArn}`));
            return true;
          }
          const view = taskView(rec, true);
          if (!test(view)) return false;
          resolve(view);
          return true;
        };
        if (check()) return;
        const stop = core.watchTasks((rec) => {
          if (rec.task.taskArn === taskArn && check()) stop();
        });
      });
    },
  };
}
