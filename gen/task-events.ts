/*
 * Generated inputs shared by the tests and the benchmarks: "ECS Task State Change" events derived from the
 * real payloads in ../shared/fixtures/events (beside the repo), with the same field names and types, whole
 * task lifecycles, and SQS batches of them as the status function receives them. Imports only the product
 * (src/), never test/ or bench/, so both may import it.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { type EcsTaskStateChange, EcsTaskStateChangeSchema } from "../src/runs/events.ts";

export const FIXTURES_DIR = resolve(import.meta.dirname, "../../shared/fixtures/events");

export const FIXTURE_NAMES = [
  "apigw-http-v2",
  "apigw-rest-proxy-v1",
  "ecs-container-instance-state-change",
  "ecs-task-state-change-ec2-running",
  "ecs-task-state-change-fargate-running",
  "scheduled-event",
] as const;
export type FixtureName = (typeof FIXTURE_NAMES)[number];

/** A fresh copy of a fixture file on every call, so tests may mutate it. */
export function loadFixture<T = unknown>(name: FixtureName): T {
  return JSON.parse(readFileSync(resolve(FIXTURES_DIR, `${name}.json`), "utf8")) as T;
}

/** Fisher–Yates with the given random source (a seeded one replays the same order). */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

export type LaunchType = "FARGATE" | "EC2";

export const loadTaskFixture = (launchType: LaunchType = "FARGATE"): EcsTaskStateChange =>
  loadFixture<EcsTaskStateChange>(
    launchType === "EC2" ? "ecs-task-state-change-ec2-running" : "ecs-task-state-change-fargate-running",
  );

/** Statuses of the ECS task lifecycle, in order. */
export const TASK_STATUSES = [
  "PROVISIONING",
  "PENDING",
  "ACTIVATING",
  "RUNNING",
  "DEACTIVATING",
  "STOPPING",
  "DEPROVISIONING",
  "STOPPED",
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export interface ContainerOptions {
  name: string;
  /** null = the event carries no exit code (e.g. the container never started). */
  exitCode?: number | null;
  reason?: string;
  lastStatus?: string;
}

export interface TaskEventOptions {
  lastStatus: TaskStatus;
  version: number;
  taskArn?: string;
  clusterArn?: string;
  group?: string;
  startedBy?: string;
  launchType?: LaunchType;
  /** Whether the task ever ran; for STOPPED events, false gives a task that failed to start. Default: true. */
  started?: boolean;
  stopCode?: string;
  stoppedReason?: string;
  containers?: ContainerOptions[];
  /** Base time of the task; every other timestamp is derived from it. Default: the fixture's. */
  createdAt?: string;
}

const hex = (seed: string, length: number) => createHash("sha1").update(seed).digest("hex").slice(0, length);
const uuid = (seed: string) => {
  const h = hex(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
};
const plus = (iso: string, seconds: number) => new Date(Date.parse(iso) + seconds * 1000).toISOString();

/** A distinct, realistic Fargate task ARN for each seed. */
export const taskArnFor = (seed: string | number, cluster = "FargateCluster", region = "us-west-2") =>
  `arn:aws:ecs:${region}:111122223333:task/${cluster}/${hex(String(seed), 32)}`;

const STATUS_INDEX = (s: TaskStatus) => TASK_STATUSES.indexOf(s);

/**
 * A full "ECS Task State Change" event in the fixture's shape: PROVISIONING/PENDING events have no
 * startedAt; STOPPED ones have stoppingAt/stoppedAt/executionStoppedAt, stopCode, stoppedReason and
 * (when the task ran) container exit codes, 0 unless given.
 */
export function taskEvent(o: TaskEventOptions): EcsTaskStateChange {
  const launchType = o.launchType ?? "FARGATE";
  const base = loadTaskFixture(launchType);
  const d = base.detail as Record<string, unknown> & EcsTaskStateChange["detail"];
  const template = d.containers[0] as Record<string, unknown>;
  const taskArn = o.taskArn ?? d.taskArn;
  const status = o.lastStatus;
  const stopped = status === "STOPPED";
  const started = o.started ?? o.stopCode !== "TaskFailedToStart";
  const reached = (s: TaskStatus) => STATUS_INDEX(status) >= STATUS_INDEX(s);
  const ran = started && reached("RUNNING");

  const createdAt = o.createdAt ?? (d.createdAt as string);
  const times = {
    connectivityAt: plus(createdAt, 4),
    pullStartedAt: plus(createdAt, 18),
    pullStoppedAt: plus(createdAt, 21),
    startedAt: plus(createdAt, 24),
    stoppingAt: plus(createdAt, ran ? 84 : 30),
    executionStoppedAt: plus(createdAt, ran ? 85 : 31),
    stoppedAt: plus(createdAt, ran ? 86 : 32),
  };

  const containerStatus = stopped ? "STOPPED" : ran ? "RUNNING" : "PENDING";
  const names = o.containers ?? [{ name: template.name as string }];
  const containers = names.map((c) => {
    const out: Record<string, unknown> = { ...template };
    delete out.exitCode;
    delete out.reason;
    if (!ran) {
      delete out.runtimeId;
      delete out.networkInterfaces;
    }
    out.containerArn = `${taskArn.split(":task/")[0]}:container/${uuid(`${taskArn}/${c.name}`)}`;
    out.name = c.name;
    out.taskArn = taskArn;
    out.lastStatus = c.lastStatus ?? containerStatus;
    // Only a stopped container has an exit code, so a lifecycle can pass the same options to every event.
    const exitCode =
      out.lastStatus !== "STOPPED" ? null : c.exitCode === undefined ? (ran ? 0 : null) : c.exitCode;
    if (exitCode !== null) out.exitCode = exitCode;
    if (c.reason !== undefined) out.reason = c.reason;
    return out;
  });

  const detail: Record<string, unknown> = { ...d, taskArn, containers, createdAt };
  if (d.overrides !== undefined)
    detail.overrides = { containerOverrides: names.map((c) => ({ name: c.name })) };
  if (o.clusterArn !== undefined) detail.clusterArn = o.clusterArn;
  else if (o.taskArn !== undefined) {
    const [prefix, rest] = taskArn.split(":task/") as [string, string];
    const parts = rest.split("/");
    if (parts.length > 1) detail.clusterArn = `${prefix}:cluster/${parts[0]}`;
  }
  if (o.group !== undefined) detail.group = o.group;
  if (o.startedBy !== undefined) detail.startedBy = o.startedBy;
  detail.lastStatus = status;
  detail.desiredStatus = reached("DEACTIVATING") ? "STOPPED" : "RUNNING";
  detail.version = o.version;

  for (const k of [
    "connectivity",
    "connectivityAt",
    "pullStartedAt",
    "pullStoppedAt",
    "startedAt",
    "stoppingAt",
    "executionStoppedAt",
    "stoppedAt",
    "stopCode",
    "stoppedReason",
  ]) {
    delete detail[k];
  }
  if (launchType === "FARGATE" && reached("PENDING")) {
    detail.connectivity = "CONNECTED";
    detail.connectivityAt = times.connectivityAt;
  }
  if (reached("ACTIVATING")) {
    detail.pullStartedAt = times.pullStartedAt;
    detail.pullStoppedAt = times.pullStoppedAt;
  }
  if (ran) detail.startedAt = times.startedAt;
  if (reached("DEACTIVATING")) {
    detail.stopCode = o.stopCode ?? (ran ? "EssentialContainerExited" : "TaskFailedToStart");
    detail.stoppedReason =
      o.stoppedReason ?? (ran ? "Essential container in task exited" : "Task failed to start");
    detail.stoppingAt = times.stoppingAt;
  }
  if (stopped) {
    detail.executionStoppedAt = times.executionStoppedAt;
    detail.stoppedAt = times.stoppedAt;
  }
  const updatedAt = stopped
    ? times.stoppedAt
    : ran
      ? times.startedAt
      : reached("PENDING")
        ? times.connectivityAt
        : createdAt;
  detail.updatedAt = updatedAt;

  const event = {
    ...base,
    id: uuid(`${taskArn}#${o.version}`),
    time: `${updatedAt.slice(0, 19)}Z`,
    region: taskArn.split(":")[3] ?? base.region,
    resources: [taskArn],
    detail,
  };
  // The derived event must still be one the status handler accepts: fail here, not in the test using it.
  return EcsTaskStateChangeSchema.parse(event);
}

export interface LifecycleOptions extends Omit<TaskEventOptions, "lastStatus" | "version"> {
  /** First detail.version of the task. Default 1. */
  firstVersion?: number;
}

/**
 * Every event of one task's life, in order and with increasing versions: PROVISIONING (Fargate),
 * PENDING, RUNNING when it ran, STOPPED.
 */
export function taskLifecycle(o: LifecycleOptions = {}): EcsTaskStateChange[] {
  const { firstVersion = 1, ...rest } = o;
  const started = o.started ?? o.stopCode !== "TaskFailedToStart";
  const statuses: TaskStatus[] = [
    ...((o.launchType ?? "FARGATE") === "FARGATE" ? (["PROVISIONING"] as const) : []),
    "PENDING",
    ...(started ? (["RUNNING"] as const) : []),
    "STOPPED",
  ];
  return statuses.map((lastStatus, i) =>
    taskEvent({ ...rest, started, lastStatus, version: firstVersion + i }),
  );
}

/**
 * An SQS batch as Lambda's event source mapping delivers it from the task events queue: one message per
 * event, its body the event's JSON (a string is sent as it is, for bodies that are not JSON); message ids
 * `m<first + i>`.
 */
export const sqsBatch = (bodies: readonly unknown[], first = 0) => ({
  Records: bodies.map((body, i) => ({
    messageId: `m${first + i}`,
    receiptHandle: `r${first + i}`,
    body: typeof body === "string" ? body : JSON.stringify(body),
    attributes: {},
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:us-east-1:111122223333:ecs-jobs-test-task-events",
    awsRegion: "us-east-1",
  })),
});
