/** The AWS pages each hint is drawn from; alerts may link them, and they are where to look when ECS changes a message. */
const GUIDE = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide";

export const DOCS = {
  stoppedTaskErrors: `${GUIDE}/stopped-task-errors.html`,
  stoppedTaskErrorCodes: `${GUIDE}/stopped-task-error-codes.html`,
  cannotPull: `${GUIDE}/task_cannot_pull_image.html`,
  resourceInitialization: `${GUIDE}/resource-initialization-error.html`,
  cannotStart: `${GUIDE}/cannot-start-container.html`,
  cannotCreate: `${GUIDE}/CannotCreateContainerError.html`,
  cannotInspect: `${GUIDE}/cannot-inspect-container.html`,
  apiFailures: `${GUIDE}/api_failures_messages.html`,
  loadBalancers: `${GUIDE}/troubleshoot-service-load-balancers.html`,
  fargateSpot: `${GUIDE}/fargate-capacity-providers.html`,
  executionRole: `${GUIDE}/task_execution_IAM_role.html`,
  /** AWS Knowledge Center: stopped reasons and the "Common exit codes" section. */
  whyTaskStopped: "https://repost.aws/knowledge-center/ecs-task-stopped",
  fargatePullError: "https://repost.aws/knowledge-center/ecs-fargate-pull-container-error",
  fargateCapacity: "https://repost.aws/knowledge-center/ecs-fargate-runtask-capacity",
} as const;
