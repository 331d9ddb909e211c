/**
 * "ECS Container Instance State Change" (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_container_instance_events.html).
 * The detail mirrors DescribeContainerInstances' ContainerInstance, which ECS extends over time: objects are
 * loose, and only the fields the instance-launch handler reads are checked.
 */
import { z } from "zod";

export const ContainerInstanceStateChangeSchema = z.looseObject({
  id: z.string().min(1),
  "detail-type": z.literal("ECS Container Instance State Change"),
  source: z.literal("aws.ecs"),
  time: z.string(),
  detail: z.looseObject({
    clusterArn: z.string().startsWith("arn:"),
    containerInstanceArn: z.string().startsWith("arn:"),
    status: z.string(),
    agentConnected: z.boolean(),
    ec2InstanceId: z.string().optional(),
    registeredAt: z.iso.datetime({ offset: true }).optional(),
    version: z.number().int().optional(),
  }),
});

export type ContainerInstanceStateChange = z.infer<typeof ContainerInstanceStateChangeSchema>;
