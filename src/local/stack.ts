/**
 * The embedded local stack (SPEC section 5): the real handlers wired to local stand-ins, in one process.
 *
 *   HTTP API + dashboard  127.0.0.1:P      → http handler (API Gateway payload 2.0 events)
 *   ECS API emulator      127.0.0.1:P+1    → task / container instance state changes → local event bus
 *                                            → status / instance-launch handlers (async, ordered per task,
 *                                              retried like Lambda async invocations)
 *   local scheduler       (clock-driven)   → schedule handler at each fire time; sweeper every minute
 *   dynalite              127.0.0.1:free   → the run ledger, on disk under <dataDir>/ledger
 *   AWS stand-in          127.0.0.1:free   → EventBridge PutEvents and SNS Publish (alerts, captured and
 *                                            printed, GET /alerts), Scheduler (pause/resume), Logs
 *
 * The handlers get their clients from the stack's deps, every one of them pointed at a local endpoint with
 * fake credentials, so nothing ever reaches AWS.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ECSClient } from "@aws-sdk/client-ecs";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { SchedulerClient } from "@aws-sdk/client-scheduler";
import { SNSClient } from "@aws-sdk/client-sns";
import { type ClientConstructors, createClients } from "../aws/clients.ts";
import { loadValidJobs } from "../catalog/build.ts";
import { type Catalog, catalogOf } from "../catalog/catalog.ts";
import type { AppConfig, Deps } from "../deps.ts";
import { EcsJobsError, NotFoundError } from "../errors.ts";
import { parseStartedBy } from "../launch/requests.ts";
import type { RunLedger } from "../runs/ledger.ts";
import type { Job } from "../spec/schema.ts";
import { createAlertLog, type LocalAlert } from "./aws/alerts.ts";
import { createScheduleStore } from "./aws/schedules.ts";
import { startAwsStandIn } from "./aws/server.ts";
import { createBehaviourResolver } from "./behaviour.ts";
import { type Clock, realClock } from "./clock.ts";
import { dashboardData } from "./dashboard-data.ts";
import { DEFAULT_DATA_DIR, removeLocalStack, writeLocalStack } from "./discovery.ts";
import { startDynalite } from "./dynamo.ts";
import {
  type EcsEmulator,
  type PhaseDurations,
  startEcsEmulator,
  type TaskStateChangeEvent,
} from "./ecs/index.ts";
import { createEventBus } from "./event-bus.ts";
import { type LocalHandlers, loadHandlers, MissingPieceError, type ScheduledEvent } from "./handlers.ts";
import { generateToken } from "./http/auth.ts";
import { startHttpApi } from "./http/server.ts";
import { identityOf } from "./identity.ts";
import { planInstances } from "./instances.ts";
import { openLedger } from "./ledger.ts";
import { createLocalLog, type LocalLog, type LogLevel } from "./log.ts";
import { reconcileActiveRuns } from "./reconcile.ts";
import { type SchedulerInput, schedulerTime, startLocalScheduler } from "./scheduler.ts";
import { LOG_STREAM_PREFIX, planTaskDefinitions, registerTaskDefinitions } from "./task-definitions.ts";
import { createTaskEventQueue } from "./task-event-queue.ts";

export const LOCAL_TABLE = "ecs-jobs-runs";
export const LOCAL_SCHEDULE_GROUP = "ecs-jobs-local";
/** Fake credentials: the SDK insists on signing, the stand-ins do not check. */
export const LOCAL_CREDENTIALS = { accessKeyId: "LOCALSTACKACCESSKEY", secretAccessKey: "local-secret" };

export interface LocalStackOptions {
  jobsDir: string;
  /** HTTP API port; 0 = a free one. The emulator takes port + 1 unless ecsPort is given. */
  port: number;
  ecsPort?: number;
  /** Ledger, emulator state and discovery file; relative to the cwd. Default `.ecs-jobs`. */
  dataDir?: string;
  /** Bearer token of the HTTP API; generated when absent. */
  token?: string;
  clock?: Clock;
  /** Where log lines go (default stderr). */
  log?: (line: string) => void;
  logLevel?: LogLevel;
  /** Register two container instances in clusters that EC2 / onInstanceLaunch jobs use and that have none. */
  seedContainerInstances?: boolean;
  /** Real-time poll of the scheduler (default 250 ms). */
  schedulerPollMs?: number;
  /** Delays of the local event bus's retries (default 250 ms, 1 s). */
  retryDelaysMs?: readonly number[];
  /** Write `<dataDir>/stack.json` for the CLI (default true). */
  discoveryFile?: boolean;
  /** How long the emulator's lifecycle steps take (tests shorten them). */
  phaseMs?: Partial<PhaseDurations>;
  /** Region when the jobs' ARNs do not tell (default eu-west-1). */
  region?: string;
  /**
   * How long HTTP requests in flight at close get to finish (default 1 s). A test that closes the stack in
   * the middle of requests gives them longer, so that a busy machine cannot cut them.
   */
  httpCloseGraceMs?: number;
}

export interface LocalStack {
  readonly httpUrl: string;
  /** The dashboard URL with the token, ready for a browser. */
  readonly dashboardUrl: string;
  readonly ecsUrl: string;
  readonly dynamodbUrl: string;
  readonly eventsUrl: string;
  readonly token: string;
  readonly region: string;
  readonly accountId: string;
  readonly dataDir: string;
  readonly jobs: readonly Job[];
  /** The emulator's own controls (container instances, faults …). */
  readonly emulator: EcsEmulator;
  /** Invokes the schedule handler as the scheduler would at `at` (default now); resolves when it returned. */
  fireSchedule(name: string, at?: Date): Promise<SchedulerInput>;
  /** Invokes the sweeper now; resolves when it returned. */
  sweep(): Promise<void>;
  /** Fires every enabled scheduled job once and starts every HTTP-only job once (the dev demo). */
  kickOff(): Promise<string[]>;
  alerts(): LocalAlert[];
  /** Resolves once every queued handler invocation has finished. */
  idle(): Promise<void>;
  /** The next fire times of a job as the local scheduler will fire them. */
  upcoming(name: string, count: number): Date[];
  close(): Promise<void>;
}

function deferred<T>() {
  let resolveFn!: (value: T) => void;
  let rejectFn!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolveFn = res;
    rejectFn = rej;
  });
  // A rejection nobody waits for yet must not crash the process; whoever awaits it sees it.
  promise.catch(() => {});
  return { promise, resolve: resolveFn, reject: rejectFn };
}

const isAddressInUse = (e: unknown) => (e as NodeJS.ErrnoException)?.code === "EADDRINUSE";

async function inUse<T>(what: string, flag: string, listen: () => Promise<T>): Promise<T> {
  try {
    return await listen();
  } catch (error) {
    if (!isAddressInUse(error)) throw error;
    const port = (error as { port?: number }).port;
    throw new EcsJobsError("PortInUse", `port ${port} (${what}) is in use; pick another with ${flag}`, {
      cause: error,
    });
  }
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const clock = options.clock ?? realClock;
  const now = () => new Date(clock.now());
  const write = options.log ?? ((line: string) => process.stderr.write(line));
  const log: LocalLog = createLocalLog(write, { level: options.logLevel ?? "info", now });
  const dataDir = resolve(options.dataDir ?? DEFAULT_DATA_DIR);
  const jobsDir = resolve(options.jobsDir);
  mkdirSync(dataDir, { recursive: true });

  const jobs = loadValidJobs(jobsDir);
  const catalog: Catalog = catalogOf(jobs);
  const identity = identityOf(jobs, { region: options.region });
  if (identity.conflicts.length > 0)
    log.warn(
      `the jobs name ECS resources in several accounts/regions (${identity.conflicts.join("; ")}); the emulator is account ${identity.accountId} in ${identity.region}, so ARNs of other accounts will not be found`,
    );
  const token = options.token ?? generateToken();

  // Shutdown goes from the edges inwards: nothing new comes in, then the emulator flushes its last events
  // to the bus, the bus to the handlers, and only then go the stand-ins and the ledger the handlers use.
  const ORDER = ["discovery", "scheduler", "http", "emulator", "bus", "aws", "clients", "dynamo"] as const;
  const cleanups: [(typeof ORDER)[number], () => Promise<void> | void][] = [];
  const cleanup = async () => {
    const steps = cleanups.splice(0).sort((a, b) => ORDER.indexOf(a[0]) - ORDER.indexOf(b[0]));
    for (const [, fn] of steps) {
      try {
        await fn();
      } catch (error) {
        log.error("shutdown step failed", { error });
      }
    }
  };

  try {
    // The ledger.
    const dynamo = await startDynalite(resolve(dataDir, "ledger"));
    cleanups.push(["dynamo", () => dynamo.close()]);

    // Alerts, schedules and logs.
    const alerts = createAlertLog((a) => {
      const what = a.kind ?? a.detailType ?? a.subject ?? "alert";
      log.warn(
        `ALERT ${what}${a.job ? ` ${a.job}` : ""}${a.runId ? ` run ${a.runId}` : ""} via ${a.channel}${a.topicArn ? ` ${a.topicArn}` : ""}`,
      );
    });
    const schedules = createScheduleStore({
      jobs,
      group: LOCAL_SCHEDULE_GROUP,
      region: identity.region,
      accountId: identity.accountId,
      stateFile: resolve(dataDir, "schedules.json"),
      now,
    });
    const logLines = new Map<string, { timestamp: number; message: string }[]>();
    let emulatorRef: EcsEmulator | undefined;
    const aws = await startAwsStandIn({
      alerts,
      schedules,
      // Streams exist for tasks whose containers started (with what `local.exec` printed, if anything); a
      // task that never started has none, as in CloudWatch.
      logs: (_group, stream) => {
        const lines = logLines.get(stream);
        if (lines) return lines;
        const taskId = stream.split("/").at(-1);
        const task = emulatorRef?.tasks().find((t) => t.taskArn?.endsWith(`/${taskId}`));
        return task?.startedAt ? [] : undefined;
      },
    });
    cleanups.push(["aws", () => aws.close()]);

    // Handler invocations: one bus, ordered per key, retried like Lambda async invocations.
    const bus = createEventBus({
      log: log.child("bus"),
      isPermanent: (error) => error instanceof MissingPieceError,
      ...(options.retryDelaysMs && { retryDelaysMs: options.retryDelaysMs }),
    });
    cleanups.push(["bus", () => bus.close()]);
    const handlersReady = deferred<LocalHandlers>();
    const ready = () => handlersReady.promise;

    // The HTTP API first, so that P+1 is known when the API port was chosen freely.
    let dashboardSource: (() => Promise<Awaited<ReturnType<typeof dashboardData>>>) | undefined;
    const http = await inUse("HTTP API", "--port", () =>
      startHttpApi({
        port: options.port,
        token,
        api: async (event) => (await ready()).http(event),
        dashboard: async () => {
          await ready();
          if (!dashboardSource) throw new Error("the dashboard is not ready");
          return dashboardSource();
        },
        alerts: () => alerts.list(),
        accountId: identity.accountId,
        userArn: `arn:aws:iam::${identity.accountId}:user/ecs-jobs-local`,
        now,
        log: log.child("http"),
        ...(options.httpCloseGraceMs !== undefined && { closeGraceMs: options.httpCloseGraceMs }),
      }),
    );
    cleanups.push(["http", () => http.close()]);

    // A run's task events go to the status handler in SQS batches, as deployed (task-event-queue.ts): in
    // order per task, as required, and one batch of a run at a time, so that a run's many tasks do not race
    // each other for the same ledger item.
    const taskEvents = createTaskEventQueue({
      bus,
      status: async (batch) => (await ready()).status(batch),
      queueArn: `arn:aws:sqs:${identity.region}:${identity.accountId}:ecs-jobs-local-task-events`,
      region: identity.region,
    });
    const deliverTaskEvent = (event: TaskStateChangeEvent, label: string) => {
      const d = event.detail as { taskArn?: string; startedBy?: string };
      const run = parseStartedBy(d.startedBy)?.runId;
      return taskEvents.send(run ? `run:${run}` : `task:${d.taskArn}`, label, event);
    };

    // The ECS emulator.
    let ledger: RunLedger | undefined;
    const emulatorOptions = {
      region: identity.region,
      accountId: identity.accountId,
      clock,
      stateFile: resolve(dataDir, "ecs-emulator.json"),
      ...(options.phaseMs && { phaseMs: options.phaseMs }),
      behaviour: createBehaviourResolver({
        catalog,
        jobOfRun: async (runId) => (await ledger?.get(runId))?.job,
      }),
      onTaskStateChange: (event: TaskStateChangeEvent) => {
        const d = event.detail as { taskArn?: string; lastStatus?: string };
        void deliverTaskEvent(event, `task ${d.taskArn?.split("/").at(-1)} ${d.lastStatus}`);
      },
      onContainerInstanceStateChange: (event: Parameters<LocalHandlers["instanceLaunch"]>[0]) => {
        const d = event.detail as { containerInstanceArn?: string; status?: string };
        void bus.publish(
          `instance:${d.containerInstanceArn}`,
          `container instance ${d.containerInstanceArn?.split("/").at(-1)} ${d.status}`,
          event,
          async (e) => (await ready()).instanceLaunch(e),
        );
      },
      onListenerError: (error: unknown) => log.error("emulator event listener failed", { error }),
      onContainerOutput: (o: { taskArn: string; container: string; stream: string; text: string }) => {
        const stream = `${LOG_STREAM_PREFIX}/${o.container}/${o.taskArn.split("/").at(-1)}`;
        const lines = logLines.get(stream) ?? [];
        for (const message of o.text.split(/\r?\n/).filter(Boolean)) {
          lines.push({ timestamp: clock.now(), message });
          log.info(`${o.container}: ${message}`, { task: o.taskArn.split("/").at(-1) });
        }
        logLines.set(stream, lines.slice(-1_000));
      },
    };
    const wanted = options.ecsPort ?? (http.port + 1 <= 65_535 ? http.port + 1 : 0);
    let emulator: EcsEmulator;
    try {
      emulator = await startEcsEmulator({ ...emulatorOptions, port: wanted });
    } catch (error) {
      // Only a freely chosen API port lets the emulator move elsewhere; an explicit one is a promise.
      if (!isAddressInUse(error) || options.port !== 0 || options.ecsPort !== undefined) {
        if (isAddressInUse(error))
          throw new EcsJobsError(
            "PortInUse",
            `port ${wanted} (ECS emulator) is in use; pick another with --ecs-port (or --port)`,
          );
        throw error;
      }
      emulator = await startEcsEmulator({ ...emulatorOptions, port: 0 });
    }
    emulatorRef = emulator;
    cleanups.push(["emulator", () => emulator.close()]);

    const plans = planTaskDefinitions(jobs, identity);
    for (const s of plans.skipped) log.warn(`${s.job}: task definition not registered: ${s.reason}`);
    const registered = registerTaskDefinitions(
      {
        registerTaskDefinition: (input) => emulator.registerTaskDefinition(input),
        registeredRevisions: (family) =>
          emulator.snapshot().taskDefinitions.filter((d) => d.taskDefinition.family === family).length,
      },
      plans.plans,
    );
    if (registered.length > 0) log.info(`registered task definitions: ${registered.join(", ")}`);

    // Deps for the handlers: every client on a local endpoint.
    const made: { destroy(): void }[] = [];
    const track = <T extends { destroy(): void }>(Ctor: new (config: Record<string, unknown>) => T) =>
      class extends (Ctor as new (config: Record<string, unknown>) => { destroy(): void }) {
        constructor(config: Record<string, unknown>) {
          super(config);
          made.push(this);
        }
      } as unknown as new (
        config: Record<string, unknown>,
      ) => T;
    const ctors: ClientConstructors = {
      ecs: track(ECSClient),
      dynamodb: track(DynamoDBClient),
      scheduler: track(SchedulerClient),
      eventbridge: track(EventBridgeClient),
      sns: track(SNSClient),
      logs: track(CloudWatchLogsClient),
    };
    const clients = createClients(ctors, {
      region: identity.region,
      credentials: LOCAL_CREDENTIALS,
      endpoints: {
        ecs: emulator.url,
        dynamodb: dynamo.url,
        scheduler: aws.url,
        eventbridge: aws.url,
        sns: aws.url,
        logs: aws.url,
      },
    });
    cleanups.push([
      "clients",
      () => {
        for (const c of made) c.destroy();
      },
    ]);
    const config: AppConfig = {
      tableName: LOCAL_TABLE,
      eventBusName: "default",
      scheduleGroup: LOCAL_SCHEDULE_GROUP,
      retentionDays: 90,
      region: identity.region,
      publicUrl: http.url,
    };
    const opened = await openLedger(clients.dynamodb, config, now);
    ledger = opened;
    const deps: Deps = {
      clients,
      ledger: opened,
      catalog,
      config,
      now,
      log: log.child("handler").asDepsLog(),
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    };
    try {
      const loaded = await loadHandlers(deps, identity);
      for (const m of loaded.missing) log.error(m.message);
      handlersReady.resolve(loaded.handlers);
    } catch (error) {
      handlersReady.reject(error);
      throw error;
    }

    // Runs that were in flight when the stack last stopped.
    const reconciled = await reconcileActiveRuns({
      ledger: opened,
      catalog,
      ecs: clients.ecs,
      identity,
      now,
      deliver: (event) =>
        deliverTaskEvent(event, `reconciled task ${String(event.detail.taskArn).split("/").at(-1)}`),
    });
    if (reconciled.runs > 0)
      log.info(
        `reconciled ${reconciled.runs} run(s) in flight at the last stop (${reconciled.events} task state(s))`,
      );
    for (const arn of reconciled.unknownTasks)
      log.warn(`task ${arn} of an active run is unknown to the emulator`);

    if (options.seedContainerInstances) {
      const active = new Set(
        emulator
          .snapshot()
          .containerInstances.filter((i) => i.instance.status === "ACTIVE")
          .map((i) => i.clusterArn.split("/").at(-1)),
      );
      for (const plan of planInstances(jobs, identity.region)) {
        if (active.has(plan.cluster)) continue;
        for (const attrs of plan.instances) emulator.addContainerInstance(plan.cluster, attrs);
        log.info(`cluster ${plan.cluster}: ${plan.instances.length} container instances joined`);
      }
    }

    // Scheduler and sweeper.
    const handlers = await ready();
    const fire = (input: SchedulerInput) =>
      bus.publish(`schedule:${input.job}`, `schedule ${input.job} ${input.scheduledTime}`, input, (i) =>
        handlers.schedule(i),
      );
    const sweepEvent = (at: Date): ScheduledEvent => ({
      version: "0",
      id: randomUUID(),
      "detail-type": "Scheduled Event",
      source: "aws.events",
      account: identity.accountId,
      time: schedulerTime(at),
      region: identity.region,
      resources: [`arn:aws:events:${identity.region}:${identity.accountId}:rule/ecs-jobs-local-sweeper`],
      detail: {},
    });
    const sweep = (at: Date) =>
      bus.publish("sweeper", `sweeper ${schedulerTime(at)}`, sweepEvent(at), (e) => handlers.sweeper(e));
    const scheduler = startLocalScheduler({
      jobs,
      now,
      isEnabled: (name) => schedules.isEnabled(name),
      anchor: (name) => schedules.modifiedAt(name),
      fire: (input) => void fire(input),
      sweep: (at) => void sweep(at),
      log: log.child("scheduler"),
      ...(options.schedulerPollMs && { pollMs: options.schedulerPollMs }),
    });
    cleanups.push(["scheduler", () => scheduler.stop()]);
    dashboardSource = () =>
      dashboardData({
        catalog,
        scheduler,
        schedules,
        ledger: opened,
        alerts,
        now: now(),
        ecsUrl: emulator.url,
      });

    const info = {
      httpUrl: http.url,
      ecsUrl: emulator.url,
      dynamodbUrl: dynamo.url,
      eventsUrl: aws.url,
      scheduleGroup: LOCAL_SCHEDULE_GROUP,
      token,
      pid: process.pid,
      tableName: LOCAL_TABLE,
      region: identity.region,
      jobsDir,
      startedAt: now().toISOString(),
    };
    if (options.discoveryFile !== false) {
      writeLocalStack(dataDir, info);
      cleanups.push(["discovery", () => removeLocalStack(dataDir)]);
    }

    let closing: Promise<void> | undefined;
    return {
      httpUrl: http.url,
      dashboardUrl: `${http.url}/?token=${encodeURIComponent(token)}`,
      ecsUrl: emulator.url,
      dynamodbUrl: dynamo.url,
      eventsUrl: aws.url,
      token,
      region: identity.region,
      accountId: identity.accountId,
      dataDir,
      jobs,
      emulator,
      async fireSchedule(name, at) {
        if (!catalog.get(name)) throw new NotFoundError(`job ${name}`);
        const when = at ?? new Date(Math.floor(clock.now() / 1000) * 1000);
        const input = scheduler.inputFor(name, when);
        const delivered = await fire(input);
        if (!delivered) throw new Error(`the schedule handler failed for ${name} at ${input.scheduledTime}`);
        return input;
      },
      async sweep() {
        if (!(await sweep(now()))) throw new Error("the sweeper failed");
      },
      async kickOff() {
        const started: string[] = [];
        const at = new Date(Math.floor(clock.now() / 1000) * 1000);
        for (const job of jobs) {
          if (job.spec.schedule?.enabled && schedules.isEnabled(job.name)) {
            void fire(scheduler.inputFor(job.name, at));
            started.push(job.name);
          } else if (job.spec.http) {
            const res = await fetch(`${http.url}/jobs/${encodeURIComponent(job.name)}/runs`, {
              method: "POST",
              headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
              body: "{}",
            });
            if (res.ok) started.push(job.name);
            else log.warn(`kick-off of ${job.name} answered ${res.status}: ${await res.text()}`);
          }
        }
        return started;
      },
      alerts: () => alerts.list(),
      idle: () => bus.idle(),
      upcoming: (name, count) => scheduler.upcoming(name, count),
      close() {
        closing ??= cleanup();
        return closing;
      },
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
