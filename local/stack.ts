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
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync, watch } from "node:fs";
import { resolve } from "node:path";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ECSClient, type Task } from "@aws-sdk/client-ecs";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { SchedulerClient } from "@aws-sdk/client-scheduler";
import { SNSClient } from "@aws-sdk/client-sns";
import { SCHEDULES_FILE } from "../src/cli/local-schedules-file.ts";
import { DEFAULT_DATA_DIR, removeLocalStack, writeLocalStack } from "../src/cli/local-stack-file.ts";
import type { StartLocalStack } from "../src/cli/local-stack-port.ts";
import {
  type Job,
  metricsOnTransitions,
  parseStartedBy,
  RUN_ID_PATTERN,
  withRunEndLog,
} from "../src/host/domain.ts";
import {
  type AppConfig,
  type Catalog,
  type ClientConstructors,
  createClients,
  createRunTaskPacer,
  type Deps,
  EcsJobsError,
  formatSpecIssue,
  loadJobsDir,
  loadValidJobs,
  NotFoundError,
  type RunLedger,
  reconcileAllActive,
  redactSecrets,
  type WebhookDelivery,
} from "../src/host/wiring.ts";
import { createAlertLog, type LocalAlert } from "./aws/alerts.ts";
import { createScheduleStore } from "./aws/schedules.ts";
import { startAwsStandIn } from "./aws/stand-in-server.ts";
import { createBehaviourResolver } from "./behaviour-resolver.ts";
import { dashboardData } from "./dashboard-data.ts";
import { claimDataDir } from "./data-dir.ts";
import { checkLedger, startDynalite } from "./dynamo.ts";
import {
  type EcsEmulator,
  EmulatorStateError,
  type PhaseDurations,
  startEcsEmulator,
  type TaskStateChangeEvent,
} from "./ecs/index.ts";
import { createEventBus } from "./event-bus.ts";
import { createLocalHandlers, type LocalHandlers, type ScheduledEvent } from "./handlers.ts";
import { generateToken, tokenProblem } from "./http/auth.ts";
import { startHttpApi } from "./http/http-api.ts";
import { identityOf } from "./identity.ts";
import { planInstances } from "./instances.ts";
import { LOG_STREAM_PREFIX, planTaskDefinitions, registerTaskDefinitions } from "./job-task-definitions.ts";
import { JOURNAL_FILE } from "./ledger-journal.ts";
import { createLiveCatalog, type JobsChange } from "./live-catalog.ts";
import { createLocalLog, type LocalLog, type LogLevel } from "./log.ts";
import { endLostRuns } from "./lost-runs.ts";
import { localMetricSink } from "./metric-sink.ts";
import { type Clock, realClock } from "./offset-clock.ts";
import { openLedger } from "./open-ledger.ts";
import { createLocalRetryTimer } from "./retry-timer.ts";
import { type SchedulerInput, schedulerTime, startLocalScheduler } from "./scheduler.ts";
import { createTaskEventQueue } from "./task-event-queue.ts";

const LOCAL_TABLE = "ecs-jobs-runs";
const MAX_DELIVERIES = 200;
const LOCAL_SCHEDULE_GROUP = "ecs-jobs-local";
/**
 * Credentials of one stack's clients, generated at start: the SDK insists on signing; the run ledger answers
 * only this access key (the other stand-ins do not check). The CLI reads them from stack.json (0600).
 */
const generateLocalCredentials = () => ({
  accessKeyId: `LOCAL${randomBytes(10).toString("hex").toUpperCase()}`,
  secretAccessKey: randomBytes(30).toString("base64url"),
});

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
  /** Watch the jobs folder and reload it on change (default true). */
  watchJobs?: boolean;
  /** Region when the jobs' ARNs do not tell (default eu-west-1). */
  region?: string;
  /** The emulator creates any cluster a request names (default false: ClusterNotFoundException, as ECS). */
  autoCreateClusters?: boolean;
  /**
   * What signs alert webhooks locally, whatever parameter a job names (ECS_JOBS_WEBHOOK_SECRET for
   * `ecs-jobs dev`): there is no Parameter Store here. Without it a signed webhook is not sent (a failed
   * delivery, listed on the dashboard).
   */
  webhookSecret?: string;
  /**
   * How long HTTP requests in flight at close get to finish (default 1 s). A test that closes the stack in
   * the middle of requests gives them longer, so that a busy machine cannot cut them.
   */
  httpCloseGraceMs?: number;
  /**
   * The emulator throttles RunTask as Fargate does (20 calls/s; 100 tasks burst, 20/s), and the handlers
   * pace their RunTask calls to the same figures on the stack's clock, as deployed. Default off: launches
   * go as fast as this machine serves them.
   */
  rateLimits?: boolean;
}

/** What a reload of the jobs folder did: the jobs added, changed, removed; or the problems that kept it. */
export type JobsReload = JobsChange | { issues: string[] };

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
  /** Alert webhook deliveries, oldest first (the dashboard lists them). */
  deliveries(): WebhookDelivery[];
  /** Resolves once every queued handler invocation has finished. */
  idle(): Promise<void>;
  /** Reads the jobs folder again (the watcher does on every change); see JobsReload. */
  reloadJobs(): Promise<JobsReload>;
  /** The next fire times of a job as the local scheduler will fire them. */
  upcoming(name: string, count: number): Date[];
  close(): Promise<void>;
}

/** Whether an HTTP answer is a 202 whose run has batches left to launch. */
function handedOff(answer: unknown): boolean {
  const a = answer as { statusCode?: number; body?: string } | undefined;
  if (a?.statusCode !== 202 || typeof a.body !== "string") return false;
  try {
    const launch = (JSON.parse(a.body) as { launch?: { done: number; batches: number } }).launch;
    return launch !== undefined && launch.done < launch.batches;
  } catch {
    return false;
  }
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
  const tokenIssue = options.token === undefined ? undefined : tokenProblem(options.token);
  if (tokenIssue) throw new EcsJobsError("InvalidToken", tokenIssue);

  const jobs = loadValidJobs(jobsDir);
  // Replaced when the jobs folder changes (reloadJobs): read jobs through `catalog`, not `jobs`, after start.
  const live = createLiveCatalog(jobs);
  const catalog: Catalog = live.catalog;
  const identity = identityOf(jobs, { region: options.region });
  if (identity.conflicts.length > 0)
    log.warn(
      `the jobs name ECS resources in several accounts/regions (${identity.conflicts.join("; ")}); the emulator is account ${identity.accountId} in ${identity.region}, so ARNs of other accounts will not be found`,
    );
  const token = options.token ?? generateToken();

  // Shutdown goes from the edges inwards: nothing new comes in, then the emulator stops moving tasks and
  // flushes its last events to the bus, the bus to the handlers, and only then go the emulator's API, the
  // stand-ins and the ledger the handlers use: a handler still running (a sweep describing tasks) is
  // answered, not refused mid-way.
  const ORDER = [
    "discovery",
    "watcher",
    "scheduler",
    "retries",
    "http",
    "tasks",
    "bus",
    "emulator",
    "aws",
    "clients",
    "dynamo",
    "lock",
  ] as const;
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
    // The data dir, ours alone until we stop (refused at once when another stack holds it).
    const lock = claimDataDir(dataDir, now());
    cleanups.push(["lock", () => lock.release()]);

    // The ledger.
    // A data dir that ran before has these; then its ledger must be there and whole.
    const usedBefore = ["ecs-emulator.json", "schedules.json", JOURNAL_FILE].some((f) =>
      existsSync(resolve(dataDir, f)),
    );
    const journal = resolve(dataDir, JOURNAL_FILE);
    await checkLedger(resolve(dataDir, "ledger"), usedBefore, journal);
    const credentials = generateLocalCredentials();
    const dynamo = await startDynalite(resolve(dataDir, "ledger"), 0, {
      accessKeyId: credentials.accessKeyId,
      journal: {
        path: journal,
        onError: (error) => log.error(`the run ledger's journal ${journal} cannot be written`, { error }),
      },
    });
    cleanups.push(["dynamo", () => dynamo.close()]);

    // Alerts, schedules and logs.
    const alerts = createAlertLog(
      (a) => {
        const what = a.kind ?? a.detailType ?? a.subject ?? "alert";
        log.warn(
          `ALERT ${what}${a.job ? ` ${a.job}` : ""}${a.runId ? ` run ${a.runId}` : ""} via ${a.channel}${a.topicArn ? ` ${a.topicArn}` : ""}`,
        );
      },
      1_000,
      resolve(dataDir, "alerts.jsonl"),
    );
    const schedules = createScheduleStore({
      jobs,
      group: LOCAL_SCHEDULE_GROUP,
      region: identity.region,
      accountId: identity.accountId,
      stateFile: resolve(dataDir, SCHEDULES_FILE),
      now,
    });
    const logLines = new Map<string, { timestamp: number; message: string }[]>();
    let emulatorRef: EcsEmulator | undefined;
    const aws = await startAwsStandIn({
      alerts,
      schedules,
      // Streams exist for tasks whose containers started: what `local.exec` printed, or for other jobs a few
      // lines standing in for the output; a task that never started has none, as in CloudWatch.
      logs: (_group, stream) => {
        const lines = logLines.get(stream);
        if (lines) return lines;
        const [, container, taskId] = stream.split("/");
        const task = emulatorRef?.tasks().find((t) => t.taskArn?.endsWith(`/${taskId}`));
        if (!task?.startedAt) return undefined;
        // A `local.exec` container's own lines are on their way (or it printed none): no stand-ins.
        const job = catalog.get(parseStartedBy(task.startedBy)?.job ?? "");
        return job?.spec.local.exec ? [] : syntheticLines(task, container ?? "");
      },
    });
    cleanups.push(["aws", () => aws.close()]);

    // Handler invocations: one bus, ordered per key, retried like Lambda async invocations.
    const bus = createEventBus({
      log: log.child("bus"),
      ...(options.retryDelaysMs && { retryDelaysMs: options.retryDelaysMs }),
    });
    cleanups.push(["bus", () => bus.close()]);
    const handlersReady = deferred<LocalHandlers>();
    const ready = () => handlersReady.promise;

    let continueLaunches: (() => void) | undefined;
    // The HTTP API first, so that P+1 is known when the API port was chosen freely.
    let dashboardSource: (() => Promise<Awaited<ReturnType<typeof dashboardData>>>) | undefined;
    const http = await inUse("HTTP API", "--port", () =>
      startHttpApi({
        port: options.port,
        token,
        api: async (event) => {
          const answer = await (await ready()).http(event);
          // A launch the HTTP function handed off (a big fan-out) is continued by the sweeper. In AWS the
          // next sweep is within a minute; here it is run at once, so a local fan-out does not wait for it.
          if (handedOff(answer)) continueLaunches?.();
          return answer;
        },
        dashboard: async () => {
          await ready();
          if (!dashboardSource) throw new Error("the dashboard is not ready");
          return dashboardSource();
        },
        run: async (runId) => {
          // The ledger answers once the handlers are loaded; a run page is shown redacted, as the API shows it.
          await ready();
          const run = RUN_ID_PATTERN.test(runId) ? await ledger?.get(runId) : undefined;
          return run && redactSecrets(run);
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
      autoCreateClusters: options.autoCreateClusters ?? false,
      rateLimits: options.rateLimits === true,
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
      // A listener that threw, or a background step (state file write, local process) that failed: in the log.
      onError: (error: unknown) => log.error("emulator: a background step failed", { error }),
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
      // The emulator's own error; to the CLI, a damaged data dir is the user's to act on, named as such.
      if (error instanceof EmulatorStateError)
        throw new EcsJobsError("CorruptStateFile", error.message, { cause: error });
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
    cleanups.push(["tasks", () => emulator.quiesce()]);
    cleanups.push(["emulator", () => emulator.close()]);
    // The clusters the jobs name exist, as in the user's account; any other name is ClusterNotFoundException,
    // as ECS answers, so a misspelled task.cluster fails here and not first in AWS.
    const clusterNames = new Set(jobs.map((j) => j.spec.task.cluster.replace(/^arn:.*:cluster\//, "")));
    for (const name of clusterNames) emulator.createCluster(name);

    const registerFor = (forJobs: readonly Job[]) => {
      const plans = planTaskDefinitions(forJobs, identity);
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
    };
    registerFor(jobs);

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
      credentials,
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
    // As deployed (handlers/runtime.ts): each run's end logged, then counted.
    const metrics = withRunEndLog(
      log.child("runs").asDepsLog(),
      metricsOnTransitions(localMetricSink(log.child("metrics"))),
    );
    const opened = await openLedger(clients.dynamodb, config, now, metrics);
    const deliveries: WebhookDelivery[] = [];
    const sweepsCancelled = new AbortController();
    ledger = opened;
    const retryTimer = createLocalRetryTimer((due) => {
      void taskEvents.send(`retry:${due.runId}`, `retry of ${due.runId}`, due);
    });
    cleanups.push([
      "retries",
      () => {
        const dropped = retryTimer.close();
        if (dropped.length > 0) log.warn("delayed retries dropped by the stop", { runs: dropped });
      },
    ]);
    const deps: Deps = {
      clients,
      ledger: opened,
      catalog,
      config,
      now,
      log: log.child("handler").asDepsLog(),
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      ...(options.rateLimits && {
        runTaskPacer: createRunTaskPacer({
          now: () => clock.now(),
          sleep: (ms) => new Promise<void>((r) => clock.setTimeout(r, ms)),
        }),
      }),
      retryTimer,
      webhooks: {
        // Webhooks to a receiver on this machine (tests, demos) are plain http; local mode posts them.
        allowLoopbackHttp: true,
        readSecret: async (parameter) => {
          if (options.webhookSecret) return options.webhookSecret;
          throw new Error(
            `local mode signs webhooks with ECS_JOBS_WEBHOOK_SECRET (for ${parameter}); it is unset`,
          );
        },
        onDelivery: (d) => {
          deliveries.push(d);
          if (deliveries.length > MAX_DELIVERIES) deliveries.shift();
          const outcome = d.ok ? `delivered (HTTP ${d.status})` : `NOT delivered: ${d.error}`;
          log.warn(`WEBHOOK ${d.kind} ${d.job} run ${d.runId} to ${d.host} ${outcome}`);
        },
      },
      // The local scheduler's anchor too: GET /jobs shows the times the stack fires.
      scheduleAnchor: (name) => schedules.modifiedAt(name),
    };
    try {
      // Which jobs are paused, from the schedule stand-in in this process rather than a ListSchedules round
      // trip: GET /jobs stays free of I/O, as the HTTP/0.9-style raw requests of the fuzz tests need (Node
      // drops the answer to one whose client half-closed, if it is not ready at once).
      const pausedJobs = async () =>
        new Set(
          catalog.jobs
            .filter((j) => j.spec.schedule?.enabled && !schedules.isEnabled(j.name))
            .map((j) => j.name),
        );
      handlersReady.resolve(
        createLocalHandlers(deps, identity, { http: { pausedJobs }, sweeps: sweepsCancelled.signal }),
      );
    } catch (error) {
      handlersReady.reject(error);
      throw error;
    }

    // Runs that were in flight when the stack last stopped: the product's reconciliation, all at once.
    const reconciled = await reconcileAllActive(deps);
    if (reconciled.runs > 0)
      log.info(
        `reconciled ${reconciled.runs} run(s) in flight at the last stop (${reconciled.applied} task state(s) applied)`,
      );
    for (const { tasks } of reconciled.missing)
      for (const arn of tasks) log.warn(`task ${arn} of an active run is unknown to the emulator`);
    for (const runId of await endLostRuns(deps, reconciled.missing, emulatorOptions.stateFile))
      log.warn(`run ${runId} ended FAILED: the emulator lost its tasks (${emulatorOptions.stateFile})`);

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
    // Sweeps still queued when the stack stops are left out, and the one running stops between two runs
    // (sweepsCancelled): the next start's sweep does their work.
    let sweepsStopped = false;
    const sweep = (at: Date) =>
      bus.publish("sweeper", `sweeper ${schedulerTime(at)}`, sweepEvent(at), (e) =>
        sweepsStopped ? Promise.resolve() : handlers.sweeper(e),
      );
    continueLaunches = () => void sweep(now());
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
    cleanups.push([
      "scheduler",
      () => {
        sweepsStopped = true;
        sweepsCancelled.abort();
        scheduler.stop();
      },
    ]);
    dashboardSource = () =>
      dashboardData({
        catalog,
        scheduler,
        schedules,
        ledger: opened,
        alerts,
        deliveries: () => [...deliveries],
        now: now(),
        ecsUrl: emulator.url,
      });

    /**
     * The jobs folder again: a valid folder replaces the jobs (schedules, task definitions, catalogue); an
     * invalid one is reported and the jobs stay as they were. Runs in flight go on as launched (their tasks
     * run what they were started with); what happens when they end — retries, alerts, pause — follows the
     * new spec, and a removed job's runs end without any.
     */
    const reloadJobs = async (): Promise<JobsReload> => {
      const { jobs: next, issues } = loadJobsDir(jobsDir);
      if (issues.length > 0) {
        const text = issues.map(formatSpecIssue);
        log.error(`jobs folder not reloaded; the jobs stay as they were:\n  ${text.join("\n  ")}`);
        return { issues: text };
      }
      const change = live.replace(next);
      if (change.added.length + change.changed.length + change.removed.length === 0) return change;
      schedules.sync(next);
      scheduler.setJobs(next);
      registerFor(next);
      const said = (label: string, names: string[]) => (names.length ? [`${label} ${names.join(", ")}`] : []);
      log.info(
        `jobs reloaded: ${[...said("added", change.added), ...said("changed", change.changed), ...said("removed", change.removed)].join("; ")} ` +
          "(runs in flight go on as launched; their retries and alerts follow the new specs)",
      );
      return change;
    };
    if (options.watchJobs !== false) {
      let pending: NodeJS.Timeout | undefined;
      const watcher = watch(jobsDir, () => {
        // Editors write a file in several steps: reload once they are done.
        clearTimeout(pending);
        pending = setTimeout(
          () => void reloadJobs().catch((e) => log.error("jobs reload failed", { error: e })),
          150,
        );
      });
      watcher.on("error", (error) => log.warn("not watching the jobs folder any more", { error }));
      cleanups.push([
        "watcher",
        async () => {
          clearTimeout(pending);
          watcher.close();
        },
      ]);
    }

    const info = {
      httpUrl: http.url,
      ecsUrl: emulator.url,
      dynamodbUrl: dynamo.url,
      eventsUrl: aws.url,
      scheduleGroup: LOCAL_SCHEDULE_GROUP,
      token,
      credentials,
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
      get jobs() {
        return catalog.jobs;
      },
      emulator,
      reloadJobs,
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
        for (const job of catalog.jobs) {
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
      deliveries: () => [...deliveries],
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

/** The output of a container that runs nothing locally (no `local.exec`): its start and its end. */
function syntheticLines(
  task: Partial<Pick<Task, "startedAt" | "stoppedAt" | "containers">>,
  container: string,
): { timestamp: number; message: string }[] | undefined {
  if (!task.startedAt) return undefined;
  const lines = [
    {
      timestamp: task.startedAt.getTime(),
      message: `[ecs-jobs local] ${container} started; without local.exec nothing runs, so these lines stand in for its output`,
    },
  ];
  const exitCode = task.containers?.find((c) => c.name === container)?.exitCode;
  if (task.stoppedAt && exitCode !== undefined)
    lines.push({
      timestamp: task.stoppedAt.getTime(),
      message: `[ecs-jobs local] ${container} exited with code ${exitCode}`,
    });
  return lines;
}

// `ecs-jobs dev` takes this function through CliIo.localStack (bin/ hands it in): it must keep fitting.
startLocalStack satisfies StartLocalStack;
