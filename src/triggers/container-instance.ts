/**
 * "ECS Container Instance State Change" (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_container_instance_events.html).
 * The detail mirrors DescribeContainerInstances' ContainerInstance, which ECS extends over time: objects are
 * loose, and only the fields the instance-launch handler reads are checked. ARNs are bounded (AWS allows 2048
 * characters) so that a forged megabyte-long one is dropped rather than carried into run ids and logs.
 */
import { z } from "zod";

export const MAX_ARN = 2048;
const arn = z.string().startsWith("arn:").max(MAX_ARN);

export const ContainerInstanceStateChangeSchema = z.looseObject({
  id: z.string().min(1).max(256),
  "detail-type": z.literal("ECS Container Instance State Change"),
  source: z.literal("aws.ecs"),
  time: z.string(),
  detail: z.looseObject({
    clusterArn: arn,
    containerInstanceArn: arn,
    status: z.string(),
    agentConnected: z.boolean(),
    ec2InstanceId: z.string().optional(),
    registeredAt: z.iso.datetime({ offset: true }).optional(),
    version: z.number().int().optional(),
  }),
});

export type ContainerInstanceStateChange = z.infer<typeof ContainerInstanceStateChangeSchema>;
