/**
 * Shared by the run status, sweeper, alert and pause tests: every AWS client mocked with aws-sdk-client-mock
 * and answering like the real API by default, the in-memory ledger, jobs parsed from spec text, and task
 * events derived from the real fixtures (test/support/events.ts).
 */
import "aws-sdk-client-mock-vitest/extend";
import { CloudWatchLogsClient, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import {
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListTasksCommand,
  StopTaskCommand,
} from "@aws-sdk/client-ecs";
import { EventBridgeClient, PutEventsCommand, type PutEventsCommandInput } from "@aws-sdk/client-eventbridge";
import {
  GetScheduleCommand,
  ListSchedulesCommand,
  SchedulerClient,
  UpdateScheduleCommand,
} from "@aws-sdk/client-scheduler";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach } from "vitest";
import { MemoryLedger } from "../../gen/memory-ledger.ts";
import type { Deps } from "../../src/app/deps.ts";
import type { LaunchFn } from "../../src/app/retry.ts";
import { createClients } from "../../src/aws/clients.ts";
import { catalogOf } from "../../src/catalog/catalog.ts";
import { DEFAULT_CONFIG } from "../../src/config.ts";
import { runTaskStartedBy } from "../../src/jobspec/requests.ts";
import type { Job } from "../../src/jobspec/schema.ts";
import type { EcsTaskStateChange } from "../../src/runs/events.ts";
import type { Run, Trigger } from "../../src/runs/model.ts";
import { runIdFor } from "../../src/runs/run-id.ts";
import { recordingLog } from "../launch/harness.ts";
import { type LifecycleOptions, taskArnFor, taskLifecycle } from "../support/events.ts";
import { FARGATE_JOB, job } from "../support/spec.ts";

export const mocks = {
  ecs: mockClient(ECSClient),
  eventbridge: mockClient(EventBridgeClient),
  sns: mockClient(SNSClient),
  logs: mockClient(CloudWatchLogsClient),
  scheduler: mockClient(SchedulerClient),
};

export const LOG_GROUP = "/ecs/report";
export const LOG_LINES = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`);
export const SCHEDULE_ARN = "arn:aws:scheduler:us-east-1:111122223333:schedule/ecs-jobs/report";

export const scheduleOutput = (
  state: "ENABLED" | "DISABLED",
  modified = new Date("2026-01-01T00:00:00Z"),
) => ({
  Arn: SCHEDULE_ARN,
  Name: "report",
  GroupName: "ecs-jobs",
  ScheduleExpression: "cron(0 3 * * ? *)",
  ScheduleExpressionTimezone: "Europe/Paris",
  Description: "Nightly report",
  State: state,
  StartDate: new Date("2025-01-01T00:00:00Z"),
  EndDate: new Date("2030-01-01T00:00:00Z"),
  FlexibleTimeWindow: { Mode: "OFF" as const },
  Target: {
    Arn: "arn:aws:lambda:us-east-1:111122223333:function:ecs-jobs-schedule",
    RoleArn: "arn:aws:iam::111122223333:role/ecs-jobs-scheduler",
    Input: '{"job":"report"}',
    RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 600 },
  },
  ActionAfterCompletion: "NONE" as const,
  CreationDate: new Date("2025-01-01T00:00:00Z"),
  LastModificationDate: modified,
});

/** For a test file: in each test every mock answers like a healthy account, and is cleared after it. */
export function useRunMocks(): void {
  beforeEach(resetMocks);
  afterEach(() => {
    for (const m of Object.values(mocks)) m.reset();
  });
}

/** Resets every mock and gives it the answers of a healthy account. */
export function resetMocks(): void {
  for (const m of Object.values(mocks)) m.reset();
  mocks.eventbridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: "event-1" }] });
  mocks.sns.on(PublishCommand).resolves({ MessageId: "message-1" });
  mocks.ecs.on(DescribeTaskDefinitionCommand).resolves({
    taskDefinition: {
      family: "report",
      revision: 7,
      containerDefinitions: [
        {
          name: "app",
          essential: true,
          logConfiguration: {
            logDriver: "awslogs",
            options: {
              "awslogs-group": LOG_GROUP,
              "awslogs-region": "us-east-1",
              "awslogs-stream-prefix": "ecs",
            },
          },
        },
        { name: "sidecar", essential: false },
      ],
    },
  });
  mocks.ecs.on(StopTaskCommand).resolves({});
  mocks.ecs.on(ListTasksCommand).resolves({ taskArns: [] });
  mocks.logs
    .on(GetLogEventsCommand)
    .resolves({ events: LOG_LINES.map((message, i) => ({ timestamp: i, message: `${message}\n` })) });
  mocks.scheduler.on(GetScheduleCommand).resolves(scheduleOutput("ENABLED"));
  mocks.scheduler.on(UpdateScheduleCommand).resolves({ ScheduleArn: SCHEDULE_ARN });
  mocks.scheduler.on(ListSchedulesCommand).resolves({ Schedules: [] });
}

/** The alert events PutEvents received, parsed. */
export function sentAlerts(): { detailType: string; detail: Record<string, unknown> }[] {
  return mocks.eventbridge
    .commandCalls(PutEventsCommand)
    .flatMap((c) => (c.args[0].input as PutEventsCommandInput).Entries ?? [])
    .map((e) => ({
      detailType: e.DetailType ?? "",
      detail: JSON.parse(e.Detail ?? "{}") as Record<string, unknown>,
    }));
}

/** A Fargate job named `name` with extra YAML (policy, alerts, schedule) appended. */
export const testJob = (extra = "", name = "report"): Job => job(`${FARGATE_JOB}${extra}`, name);

export const NOW = new Date("2026-03-10T12:00:00.000Z");

/** The whole bag, as the handlers are given it, with a launch double for the use cases that relaunch. */
export interface RunTestDeps extends Deps {
  launch?: LaunchFn;
  ledger: MemoryLedger;
  log: ReturnType<typeof recordingLog>;
  clock: { now: Date };
}

export function runDeps(jobs: readonly Job[], options: { launch?: LaunchFn; now?: Date } = {}): RunTestDeps {
  const clock = { now: options.now ?? NOW };
  return {
    clients: createClients(
      {
        ecs: ECSClient,
        eventbridge: EventBridgeClient,
        sns: SNSClient,
        logs: CloudWatchLogsClient,
        scheduler: SchedulerClient,
      },
      { region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } },
    ),
    ledger: new MemoryLedger(),
    catalog: catalogOf(jobs),
    config: DEFAULT_CONFIG,
    now: () => clock.now,
    clock,
    log: recordingLog(),
    sleep: async () => {},
    ...(options.launch && { launch: options.launch }),
  };
}

/** A just-launched run of `job`, as the launcher creates it. */
export function launchedRun(jobName: string, overrides: Partial<Run> = {}): Run {
  const trigger: Trigger = overrides.trigger ?? {
    kind: "schedule",
    id: "execution-1",
    scheduledTime: "2026-03-10T11:00:00Z",
  };
  const runId =
    overrides.runId ?? runIdFor(jobName, trigger, new Date("2026-03-10T11:00:00Z"), overrides.attempt ?? 1);
  return {
    runId,
    job: jobName,
    status: "PENDING",
    trigger,
    attempt: 1,
    lineageId: runId,
    createdAt: "2026-03-10T11:00:05.000Z",
    expectedTasks: 1,
    failures: [],
    tasks: [],
    ...overrides,
  };
}

/** Every event of one task of `run`, in order, started by this system. */
export const runTaskEvents = (run: Run, task: number, o: LifecycleOptions = {}): EcsTaskStateChange[] =>
  taskLifecycle({
    taskArn: taskArnFor(`${run.runId}/${task}`),
    startedBy: runTaskStartedBy(run.job, run.runId),
    createdAt: run.createdAt,
    ...o,
  });

/** A launch double: records the run in the ledger as the launcher would (same run id derivation). */
export function fakeLaunch(
  calls: Parameters<LaunchFn>[1][] = [],
): LaunchFn & { calls: Parameters<LaunchFn>[1][] } {
  const launch = async (deps: Parameters<LaunchFn>[0], req: Parameters<LaunchFn>[1]) => {
    calls.push(req);
    const attempt = req.attempt ?? 1;
    const runId = runIdFor(req.job.name, req.trigger, req.at ?? deps.now(), attempt);
    const { run } = await deps.ledger.create(
      launchedRun(req.job.name, {
        runId,
        trigger: req.trigger,
        attempt,
        lineageId: req.lineageId ?? runId,
        createdAt: deps.now().toISOString(),
      }),
    );
    return run;
  };
  return Object.assign(launch, { calls });
}
