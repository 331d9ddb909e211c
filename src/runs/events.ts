import * as z from "zod/mini";
import { ValidationError } from "../errors.ts";
import { lazySchema } from "../zod-locale.ts";

/*
 * "ECS Task State Change" as EventBridge delivers it:
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_task_events.html
 * ECS documents that it adds fields over time, so every object is loose (unknown keys pass through);
 * the fields this system reads are checked strictly. Stop codes and statuses stay plain strings: a new
 * value from ECS must not make us drop the event and leave a run hanging.
 */

const timestamp = lazySchema(() => z.iso.datetime({ offset: true }));

/**
 * A field read only for the cost estimate: never checked here, so that a value this does not understand
 * cannot drop the event (its status matters far more than its price); apply-event.ts keeps the ones that
 * have the documented shape. (z.catch would do the same at ~10 KB more zod in every bundle.)
 */
const forCost = lazySchema(() => z.optional(z.unknown()));

export const EcsContainerSchema = lazySchema(() =>
  z.looseObject({
    name: z.string().check(z.minLength(1)),
    containerArn: z.optional(z.string()),
    lastStatus: z.optional(z.string().check(z.minLength(1))),
    exitCode: z.optional(z.number().check(z.int())),
    reason: z.optional(z.string()),
  }),
);

export const EcsTaskDetailSchema = lazySchema(() =>
  z.looseObject({
    taskArn: z.string().check(z.startsWith("arn:")),
    clusterArn: z.string().check(z.startsWith("arn:")),
    taskDefinitionArn: z.optional(z.string()),
    lastStatus: z.string().check(z.minLength(1)),
    desiredStatus: z.optional(z.string().check(z.minLength(1))),
    /** Increases with every change of the task; duplicates repeat it, so it orders and deduplicates events. */
    version: z.number().check(z.int(), z.nonnegative()),
    containers: z.array(EcsContainerSchema),
    group: z.optional(z.string()),
    startedBy: z.optional(z.string()),
    launchType: z.optional(z.string()),
    capacityProviderName: z.optional(z.string()),
    stopCode: z.optional(z.string()),
    /** Task size in CPU units and MiB, as strings ("256", "512"): what Fargate bills. */
    cpu: forCost,
    memory: forCost,
    /** LINUX or WINDOWS_… on Fargate. */
    platformFamily: forCost,
    /** [{name, value}]; `ecs.cpu-architecture` says arm64 or x86_64. */
    attributes: forCost,
    /** Fargate bills from here (the image pull's start) to stoppedAt. */
    pullStartedAt: forCost,
    stoppedReason: z.optional(z.string()),
    createdAt: z.optional(timestamp),
    startedAt: z.optional(timestamp),
    stoppingAt: z.optional(timestamp),
    stoppedAt: z.optional(timestamp),
    executionStoppedAt: z.optional(timestamp),
    updatedAt: z.optional(timestamp),
  }),
);

export const EcsTaskStateChangeSchema = lazySchema(() =>
  z.looseObject({
    version: z.string(),
    id: z.string().check(z.minLength(1)),
    "detail-type": z.literal("ECS Task State Change"),
    source: z.literal("aws.ecs"),
    account: z.string(),
    time: timestamp,
    region: z.string(),
    resources: z.array(z.string()),
    detail: EcsTaskDetailSchema,
  }),
);

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
