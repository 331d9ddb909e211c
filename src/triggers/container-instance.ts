/**
 * "ECS Container Instance State Change" (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_container_instance_events.html).
 * The detail mirrors DescribeContainerInstances' ContainerInstance, which ECS extends over time: objects are
 * loose, and only the fields the instance-launch handler reads are checked. ARNs are bounded (AWS allows 2048
 * characters) so that a forged megabyte-long one is dropped rather than carried into run ids and logs.
 */

import * as z from "zod/mini";
import { lazySchema } from "../zod-locale.ts";

export const MAX_ARN = 2048;
const arn = lazySchema(() => z.string().check(z.startsWith("arn:"), z.maxLength(MAX_ARN)));

export const ContainerInstanceStateChangeSchema = lazySchema(() =>
  z.looseObject({
    id: z.string().check(z.minLength(1), z.maxLength(256)),
    "detail-type": z.literal("ECS Container Instance State Change"),
    source: z.literal("aws.ecs"),
    time: z.string(),
    detail: z.looseObject({
      clusterArn: arn,
      containerInstanceArn: arn,
      status: z.string(),
      agentConnected: z.boolean(),
      ec2InstanceId: z.optional(z.string()),
      registeredAt: z.optional(z.iso.datetime({ offset: true })),
      version: z.optional(z.number().check(z.int())),
    }),
  }),
);

export type ContainerInstanceStateChange = z.infer<typeof ContainerInstanceStateChangeSchema>;
