import { z } from "zod";
import { ValidationError } from "../errors.ts";

/*
 * "ECS Task State Change" as EventBridge delivers it:
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_task_events.html
 * ECS documents that it adds fields over time, so every object is loose (unknown keys pass through);
 * the fields this system reads are checked strictly. Stop codes and statuses stay plain strings: a new
 * value from ECS must not make us drop the event and leave a run hanging.
 */

const timestamp = z.iso.datetime({ offset: true });

export const EcsContainerSchema = z.looseObject({
  name: z.string().min(1),
  containerArn: z.string().optional(),
  lastStatus: z.string().min(1).optional(),
  exitCode: z.number().int().optional(),
  reason: z.string().optional(),
});

export const EcsTaskDetailSchema = z.looseObject({
  taskArn: z.string().startsWith("arn:"),
  clusterArn: z.string().startsWith("arn:"),
  taskDefinitionArn: z.string().optional(),
  lastStatus: z.string().min(1),
  desiredStatus: z.string().min(1).optional(),
  /** Increases with every change of the task; duplicates repeat it, so it orders and deduplicates events. */
  version: z.number().int().nonnegative(),
  containers: z.array(EcsContainerSchema),
  group: z.string().optional(),
  startedBy: z.string().optional(),
  launchType: z.string().optional(),
  capacityProviderName: z.string().optional(),
  stopCode: z.string().optional(),
  stoppedReason: z.string().optional(),
  createdAt: timestamp.optional(),
  startedAt: timestamp.optional(),
  stoppingAt: timestamp.optional(),
  stoppedAt: timestamp.optional(),
  executionStoppedAt: timestamp.optional(),
  updatedAt: timestamp.optional(),
});

export const EcsTaskStateChangeSchema = z.looseObject({
  version: z.string(),
  id: z.string().min(1),
  "detail-type": z.literal("ECS Task State Change"),
  source: z.literal("aws.ecs"),
  account: z.string(),
  time: timestamp,
  region: z.string(),
  resources: z.array(z.string()),
  detail: EcsTaskDetailSchema,
});

export type EcsContainer = z.infer<typeof EcsContainerSchema>;
export type EcsTaskDetail = z.infer<typeof EcsTaskDetailSchema>;
export type EcsTaskStateChange = z.infer<typeof EcsTaskStateChangeSchema>;

/** Validates an incoming event; the error names the first offending field (e.g. `detail.version`). */
export function parseEcsTaskStateChange(input: unknown): EcsTaskStateChange {
  const r = EcsTaskStateChangeSchema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue ? issue.path.map(String).join(".") : "";
  const message = issue ? issue.message : "invalid event";
  throw new ValidationError(`ECS Task State Change: ${field || "(event)"}: ${message}`, {
    cause: r.error,
    field,
  });
}
