/**
 * EventBridge events as ECS sends them, in the shape of the real samples (../shared/fixtures/events):
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_task_events.html
 */
import { randomUUID } from "node:crypto";
import type { ContainerInstanceRecord, TaskRecord } from "./records.ts";
import { toEventJson } from "./wire.ts";

export interface EcsEvent<D = Record<string, unknown>> {
  version: "0";
  id: string;
  "detail-type": string;
  source: "aws.ecs";
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: D;
}

export type TaskStateChangeEvent = EcsEvent & { "detail-type": "ECS Task State Change" };
export type ContainerInstanceStateChangeEvent = EcsEvent & {
  "detail-type": "ECS Container Instance State Change";
};

/** EventBridge's `time`: whole seconds. */
const eventTime = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");

export function taskStateChangeEvent(
  rec: TaskRecord,
  ctx: { accountId: string; region: string; now: number },
): TaskStateChangeEvent {
  // Events leave tags out and call the ENI attachment "eni"; otherwise the task as DescribeTasks shows it,
  // plus updatedAt.
  const { tags: _tags, attachments, ...task } = rec.task;
  const detail = toEventJson({
    ...task,
    ...(attachments && {
      attachments: attachments.map((a) => (a.type === "ElasticNetworkInterface" ? { ...a, type: "eni" } : a)),
    }),
    updatedAt: rec.updatedAt,
  }) as Record<string, unknown>;
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": "ECS Task State Change",
    source: "aws.ecs",
    account: ctx.accountId,
    time: eventTime(ctx.now),
    region: ctx.region,
    resources: [rec.task.taskArn],
    detail,
  };
}

export function containerInstanceStateChangeEvent(
  rec: ContainerInstanceRecord,
  ctx: { accountId: string; region: string; now: number },
): ContainerInstanceStateChangeEvent {
  const { tags: _tags, registeredAt, ...instance } = rec.instance;
  const detail = toEventJson({
    ...instance,
    clusterArn: rec.clusterArn,
    ...(registeredAt && { registeredAt }),
    updatedAt: new Date(ctx.now),
  }) as Record<string, unknown>;
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": "ECS Container Instance State Change",
    source: "aws.ecs",
    account: ctx.accountId,
    time: eventTime(ctx.now),
    region: ctx.region,
    resources: [rec.instance.containerInstanceArn],
    detail,
  };
}
