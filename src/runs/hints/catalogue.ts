import { DOCS } from "./docs.ts";

/*
 * What ECS's stop codes, stopped reasons, container reasons, exit codes and RunTask `failures` mean, and
 * what to check. Sources (each entry names its page in `doc`):
 * - Stopped task errors / error codes: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-errors.html,
 *   https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-error-codes.html
 * - CannotPullContainer task errors: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_cannot_pull_image.html
 * - ResourceInitializationError: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/resource-initialization-error.html
 * - API failure reasons: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/api_failures_messages.html
 * - Common exit codes: https://repost.aws/knowledge-center/ecs-task-stopped
 * Order inside each list is priority: the first rule that matches wins, so narrower patterns come first.
 */

export interface HintEntry {
  /** Stable catalogue id (tests, metrics, alert grouping). */
  code: string;
  cause: string;
  check: string;
  doc: string;
}

/** Tested against every message of a task or failure: container reasons, stoppedReason, failure reason/detail. */
export interface MessageRule extends HintEntry {
  pattern: RegExp;
}

/** Tested against the `reason` of RunTask/StartTask `failures` only: those reasons are bare words like `AGENT`. */
export interface FailureRule extends HintEntry {
  reason: RegExp;
}

/** The code of the catch-all hint, without building the catalogue. */
export const GENERIC_HINT_CODE = "Unknown";

export interface HintCatalogue {
  /** Tested against every message of a task or failure; order is priority, the first match wins. */
  MESSAGE_RULES: readonly MessageRule[];
  /** Tested against RunTask/StartTask failure reasons. */
  FAILURE_RULES: readonly FailureRule[];
  /** Stop codes that say who or what ended the task. */
  EXTERNAL_STOP_CODES: readonly HintEntry[];
  /** Stop codes that only say the task ended. */
  OUTCOME_STOP_CODES: readonly HintEntry[];
  EXIT_CODE_HINTS: ReadonlyMap<number, Omit<HintEntry, "code">>;
  GENERIC_EXIT_CODE: Omit<HintEntry, "code">;
  SIGNAL_EXIT_CODE: Omit<HintEntry, "code">;
  NEVER_STARTED: HintEntry;
  RUN_TASK_FAILURE: HintEntry;
  GENERIC_HINT: HintEntry;
}

let built: HintCatalogue | undefined;

/**
 * The catalogue, built on its first use: only a failed task or launch needs a hint, and the tables (~17 KB
 * of object literals and ~60 regular expressions) are the largest piece of our own code a handler's cold
 * start would otherwise evaluate (BENCHMARKS.md, cold start).
 */
export const hintCatalogue = (): HintCatalogue => {
  built ??= buildCatalogue();
  return built;
};

function buildCatalogue(): HintCatalogue {
  const PULL = /CannotPull\w*Error/i.source;
  const INIT = /ResourceInitializationError/i.source;
  const within = (prefix: string, rest: string) => new RegExp(`${prefix}[\\s\\S]*?(?:${rest})`, "i");

  const MESSAGE_RULES: readonly MessageRule[] = [
    {
      code: "OutOfMemoryError",
      pattern: /OutOfMemoryError|killed due to memory usage/i,
      cause: "A container used more memory than its limit and was killed (out of memory).",
      check:
        "Raise the container or task memory, or lower the job's memory use; compare with the MemoryUtilization metric.",
      doc: DOCS.stoppedTaskErrorCodes,
    },
    {
      code: "CannotPullContainerError.RateLimit",
      pattern: /toomanyrequests|pull rate limit/i,
      cause: "The image registry (typically Docker Hub) rejected the pull: rate limit reached.",
      check:
        "Authenticate pulls (repositoryCredentials) or copy the image to Amazon ECR, e.g. with an ECR pull-through cache.",
      doc: DOCS.cannotPull,
    },
    {
      code: "NoSpaceLeftOnDevice",
      pattern: /no space left on device/i,
      cause: "The host ran out of disk space, usually while pulling or unpacking the image.",
      check:
        "On EC2, free or enlarge the instance volume (old images, json-file logs without max-size); on Fargate, raise ephemeralStorage or shrink the image.",
      doc: DOCS.cannotPull,
    },
    {
      code: "CannotPullContainerError.Platform",
      pattern: /no matching manifest for|descriptor matching platform/i,
      cause: "The image has no variant for the task's CPU architecture / OS.",
      check:
        "Build the image for the task's runtimePlatform (e.g. linux/amd64 vs linux/arm64) or change runtimePlatform.",
      doc: DOCS.cannotPull,
    },
    {
      code: "CannotPullContainerError.ImageNotFound",
      pattern: within(PULL, "not found|manifest unknown|does not exist|name unknown|\\b404\\b"),
      cause: "The image could not be pulled: the repository or tag does not exist.",
      check:
        "Check the image URI and tag in the task definition (full ECR URI, region, account) and that the tag was pushed.",
      doc: DOCS.cannotPull,
    },
    {
      code: "CannotPullContainerError.AccessDenied",
      pattern: within(
        PULL,
        "access ?denied|not authorized|no basic auth credentials|unauthorized|forbidden|\\b40[13]\\b|token has expired|\\bdenied\\b",
      ),
      cause: "The image pull was refused: no permission to read the repository.",
      check:
        "Give the task execution role ecr:GetAuthorizationToken, ecr:BatchGetImage and ecr:GetDownloadUrlForLayer (and the repository policy); for private registries check repositoryCredentials.",
      doc: DOCS.executionRole,
    },
    {
      code: "CannotPullContainerError.Network",
      pattern: within(
        PULL,
        "timeout|timed out|dial tcp|context canceled|request canceled|connection (?:refused|reset)|no such host|TLS handshake|\\bEOF\\b",
      ),
      cause: "The image registry could not be reached from the task's network.",
      check:
        "Private subnets need a NAT gateway or VPC endpoints (ecr.api, ecr.dkr, S3 gateway); public subnets need assignPublicIp ENABLED; check security group egress and DNS.",
      doc: DOCS.fargatePullError,
    },
    {
      code: "CannotPullContainerError",
      pattern: new RegExp(PULL, "i"),
      cause: "ECS could not pull the container image.",
      check:
        "Check the image URI and tag, the execution role's ECR permissions, and the network path to the registry (NAT, VPC endpoints, public IP).",
      doc: DOCS.cannotPull,
    },
    {
      code: "ResourceInitializationError.Logging",
      pattern: within(INIT, "logger|logging driver|log group|log stream|cloudwatch"),
      cause: "The log driver could not be set up, so the task could not start.",
      check:
        "Check that the awslogs log group exists (or set awslogs-create-group with logs:CreateLogGroup), the execution role may write logs, and the subnet reaches CloudWatch Logs (NAT or logs VPC endpoint).",
      doc: DOCS.resourceInitialization,
    },
    {
      code: "ResourceInitializationError.EnvironmentFile",
      pattern: within(INIT, "env ?files?|environmentfiles"),
      cause: "The environment files from S3 could not be downloaded.",
      check:
        "Check the S3 object ARNs in environmentFiles, s3:GetObject / s3:GetBucketLocation on the execution role, and the path to S3 (gateway endpoint or NAT).",
      doc: DOCS.resourceInitialization,
    },
    {
      code: "ResourceInitializationError.Volume",
      pattern: within(INIT, "\\befs\\b|efs-utils|mount|volume"),
      cause: "A volume (usually EFS) could not be mounted.",
      check:
        "Check the file system id and access point, mount targets in the task's subnets/AZs, NFS (2049) allowed between the security groups, and DNS resolution in the VPC.",
      doc: DOCS.resourceInitialization,
    },
    {
      code: "ResourceInitializationError.RegistryAuth",
      pattern: within(INIT, "retrieve ecr registry auth|registry auth from amazon ecr|GetAuthorizationToken"),
      cause: "The task could not get registry credentials from Amazon ECR.",
      check:
        "Check ecr:GetAuthorizationToken on the execution role and the network path to ECR (NAT or ecr.api/ecr.dkr endpoints, or a public IP); DNS resolution must be on in the VPC.",
      doc: DOCS.resourceInitialization,
    },
    {
      code: "ResourceInitializationError.Network",
      pattern: within(
        INIT,
        "connection issue|i/o timeout|dial tcp|timed out|timeout|deadline exceeded|no such host|send request failed|signal: killed",
      ),
      cause:
        "The task's network could not reach an AWS service it needs before starting (ECR, Secrets Manager, SSM, S3).",
      check:
        "Give the subnets a route out (NAT gateway, or public IP in public subnets) or VPC endpoints for the services used; check security group egress on 443 and VPC DNS settings.",
      doc: DOCS.resourceInitialization,
    },
    {
      code: "ResourceInitializationError.Secrets",
      pattern: within(
        INIT,
        "retrieve secrets? from|secretsmanager|secrets manager|\\basm\\b|\\bssm\\b|parameter store|GetParameters|GetSecretValue",
      ),
      cause: "A secret referenced by the task could not be read from Secrets Manager or SSM Parameter Store.",
      check:
        "Check that the secret/parameter ARN exists in this region (and JSON key/version), and that the execution role has secretsmanager:GetSecretValue / ssm:GetParameters plus kms:Decrypt for a customer key.",
      doc: DOCS.resourceInitialization,
    },
    {
      code: "ResourceInitializationError",
      pattern: new RegExp(INIT, "i"),
      cause:
        "ECS could not prepare the task's resources (secrets, registry auth, logging, network interface, volumes).",
      check:
        "Read the rest of the message: check the execution role's permissions, the subnets' route to AWS services (NAT or VPC endpoints) and VPC DNS resolution.",
      doc: DOCS.resourceInitialization,
    },
    {
      code: "CannotCreateVolumeError",
      pattern: /CannotCreateVolumeError/i,
      cause: "A volume declared in the task definition could not be created.",
      check:
        "Check the task definition's volumes (driver, options, EFS/EBS settings) and the permissions they need.",
      doc: DOCS.stoppedTaskErrorCodes,
    },
    {
      code: "CannotStartContainerError.Architecture",
      pattern: /exec format error/i,
      cause: "The image was built for another CPU architecture than the one the task runs on.",
      check:
        "Build the image for the task's runtimePlatform (linux/amd64 or linux/arm64), or change runtimePlatform.",
      doc: DOCS.cannotStart,
    },
    {
      code: "CannotStartContainerError.Command",
      pattern: /executable file not found|\bexec\b[^\n]*?(?:no such file or directory|permission denied)/i,
      cause: "The container's command or entrypoint does not exist in the image or is not executable.",
      check:
        "Check command/entryPoint in the job and task definition against the image (path, PATH, executable bit).",
      doc: DOCS.cannotStart,
    },
    {
      code: "CannotStartContainerError",
      pattern: /CannotStartContainerError/i,
      cause: "The container runtime could not start the container.",
      check:
        "Check the container's memory limits, command and entryPoint, mounts and linux parameters in the task definition.",
      doc: DOCS.cannotStart,
    },
    {
      code: "CannotCreateContainerError",
      pattern: /CannotCreateContainerError/i,
      cause: "The container runtime could not create the container.",
      check: "On EC2, check the instance's disk space and Docker daemon health; otherwise retry.",
      doc: DOCS.cannotCreate,
    },
    {
      code: "CannotInspectContainerError",
      pattern: /CannotInspectContainerError/i,
      cause: "The ECS agent could not inspect the container through the container runtime.",
      check:
        "Usually transient on the host: retry; on EC2, check the instance's container runtime and agent logs.",
      doc: DOCS.cannotInspect,
    },
    {
      code: "CannotStopContainerError",
      pattern: /CannotStopContainerError/i,
      cause: "The container runtime could not stop the container.",
      check: "Usually a host problem: retry; on EC2, check the instance's container runtime and agent logs.",
      doc: DOCS.stoppedTaskErrorCodes,
    },
    {
      code: "ContainerRuntimeTimeoutError",
      pattern: /ContainerRuntimeTimeoutError|DockerTimeoutError/i,
      cause: "The container did not reach RUNNING or STOPPED within the runtime's timeout.",
      check:
        "Retry; if it repeats, check image size, startTimeout/stopTimeout and host health (CPU, disk, Docker daemon on EC2).",
      doc: DOCS.stoppedTaskErrorCodes,
    },
    {
      code: "ContainerRuntimeError",
      pattern: /ContainerRuntimeError/i,
      cause: "The container runtime failed on an internal operation.",
      check:
        "Usually transient: retry; if it repeats on EC2, check the container runtime and agent on the instance.",
      doc: DOCS.stoppedTaskErrorCodes,
    },
    {
      code: "InternalError",
      pattern: /\bInternalError\b/,
      cause: "ECS hit an internal error while handling the task.",
      check: "Retry the run; if it keeps happening, check the AWS Health Dashboard and contact AWS Support.",
      doc: DOCS.stoppedTaskErrorCodes,
    },
    {
      code: "ElbHealthCheck",
      pattern: /failed ELB health checks/i,
      cause: "The task failed its load balancer health checks.",
      check:
        "Check the target group's health check path and port, that the security group admits the load balancer, and the health check grace period.",
      doc: DOCS.loadBalancers,
    },
    {
      code: "ContainerHealthCheck",
      pattern: /failed container health checks/i,
      cause: "An essential container's healthCheck reported it unhealthy.",
      check:
        "Run the healthCheck command by hand in the image, and give it enough startPeriod, interval and retries.",
      doc: DOCS.stoppedTaskErrors,
    },
    {
      code: "CapacityUnavailable",
      pattern: /capacity is unavailable at this time/i,
      cause:
        "AWS had no Fargate (or Fargate Spot) capacity for this task size in the chosen Availability Zones.",
      check:
        "Retry later, spread the job over subnets in more Availability Zones, try another CPU/memory size, or fall back from Spot to on-demand.",
      doc: DOCS.fargateCapacity,
    },
    {
      code: "HostStopped",
      pattern: /Host EC2 \(instance [^)]*\) (?:stopped|terminated)|deregistration forced/i,
      cause: "The EC2 container instance running the task was stopped, terminated or deregistered.",
      check:
        "Check the Auto Scaling group activity and scale-in protection (managed termination protection) for the cluster's instances.",
      doc: DOCS.stoppedTaskErrors,
    },
  ];

  const FAILURE_RULES: readonly FailureRule[] = [
    {
      code: "RESOURCE:CPU",
      reason: /^RESOURCE:CPU$/i,
      cause: "No container instance had enough free CPU for the task.",
      check:
        "Add capacity (scale the Auto Scaling group or use a capacity provider with managed scaling) or lower the task's cpu.",
      doc: DOCS.apiFailures,
    },
    {
      code: "RESOURCE:MEMORY",
      reason: /^RESOURCE:MEMORY$/i,
      cause: "No container instance had enough free memory for the task.",
      check:
        "Add capacity (scale the Auto Scaling group or use a capacity provider with managed scaling) or lower the task's memory.",
      doc: DOCS.apiFailures,
    },
    {
      code: "RESOURCE:PORTS",
      reason: /^RESOURCE:PORTS(?:_UDP)?$/i,
      cause: "The host ports the task needs are already taken on every container instance.",
      check: "Use dynamic host ports (hostPort 0) or awsvpc networking, or add container instances.",
      doc: DOCS.apiFailures,
    },
    {
      code: "RESOURCE:ENI",
      reason: /^RESOURCE:ENI$/i,
      cause: "No container instance had a free network interface slot for an awsvpc task.",
      check:
        "Enable ENI trunking (awsvpcTrunking), use instance types with more ENIs, add instances, or run the job on Fargate.",
      doc: DOCS.apiFailures,
    },
    {
      code: "RESOURCE:GPU",
      reason: /^RESOURCE:GPU$/i,
      cause: "No container instance had the GPUs the task requests.",
      check: "Add GPU instances to the cluster or lower the GPU count.",
      doc: DOCS.apiFailures,
    },
    {
      code: "RESOURCE",
      reason: /^RESOURCE:/i,
      cause: "No container instance had enough of a resource the task requests.",
      check: "Compare the task's requirements with the cluster's free resources, and add capacity.",
      doc: DOCS.apiFailures,
    },
    {
      code: "AGENT",
      reason: /^AGENT$/i,
      cause: "The chosen container instance's ECS agent was disconnected, so the task was not placed.",
      check: "Check the instance's ECS agent (connected, up to date) and its route to the ECS endpoint.",
      doc: DOCS.apiFailures,
    },
    {
      code: "ATTRIBUTE",
      reason: /^ATTRIBUTE$/i,
      cause: "No container instance has an attribute the task definition requires.",
      check:
        "Compare requiresAttributes and placement constraints with the instances' attributes (aws ecs list-attributes); e.g. awsvpc needs ecs.capability.task-eni.",
      doc: DOCS.apiFailures,
    },
    {
      // Written by the sweeper (src/app/interrupted-launch.ts), not by ECS.
      code: "LaunchInterrupted",
      reason: /^LaunchInterrupted$/,
      cause:
        "The launch stopped before every task was started (the launcher was stopped or timed out mid-way), and it had recorded no progress to continue from.",
      check:
        "Launch the job again; the tasks that did start are in the run. Runs launched by this version record their progress, and the sweeper continues them.",
      doc: DOCS.apiFailures,
    },
    {
      code: "MISSING",
      reason: /^MISSING$/i,
      cause: "The cluster or container instance named in the request was not found.",
      check: "Check the cluster name and region, and that container instances are registered to it.",
      doc: DOCS.apiFailures,
    },
    {
      code: "INACTIVE",
      reason: /^INACTIVE$/i,
      cause: "The target container instance or cluster was deregistered and cannot take tasks.",
      check: "Use an active cluster and container instance.",
      doc: DOCS.apiFailures,
    },
    {
      code: "LOCATION",
      reason: /^LOCATION$/i,
      cause: "The container instance is in a different Availability Zone than the task's subnets.",
      check: "Use subnets in the Availability Zones where the cluster has instances.",
      doc: DOCS.apiFailures,
    },
  ];

  /** Stop codes that say who or what ended the task: they explain any exit code the containers then report. */
  const EXTERNAL_STOP_CODES: readonly HintEntry[] = [
    {
      code: "UserInitiated",
      cause:
        "The task was stopped through StopTask (a user, a script, or ecs-jobs itself on timeout or cancel).",
      check: "Find who stopped it in CloudTrail (StopTask events) and read the task's stopped reason.",
      doc: DOCS.stoppedTaskErrorCodes,
    },
    {
      code: "ServiceSchedulerInitiated",
      cause: "An ECS service scheduler stopped the task (scale-in, deployment or unhealthy task).",
      check:
        "Job tasks should not belong to a service: check the task's group/startedBy and the service's events.",
      doc: DOCS.stoppedTaskErrorCodes,
    },
    {
      code: "SpotInterruption",
      cause: "AWS reclaimed the Spot capacity the task ran on.",
      check:
        "Make the job safe to retry (retries, checkpoints), handle SIGTERM within the 2-minute notice, or run it on on-demand capacity.",
      doc: DOCS.fargateSpot,
    },
    {
      code: "TerminationNotice",
      cause: "The task's host received a termination notice (instance scale-in, maintenance or replacement).",
      check:
        "Handle SIGTERM and make the job safe to retry; on EC2, check Auto Scaling activity and managed termination protection.",
      doc: DOCS.stoppedTaskErrorCodes,
    },
    {
      code: "InfrastructureHealth",
      cause: "ECS stopped the task because of a problem with the underlying infrastructure.",
      check: "Retry the run; check the AWS Health Dashboard for events in the region.",
      doc: DOCS.stoppedTaskErrorCodes,
    },
  ];

  /** Stop codes that only say the task ended; an exit code or message, when present, says more. */
  const OUTCOME_STOP_CODES: readonly HintEntry[] = [
    {
      code: "EssentialContainerExited",
      cause: "An essential container exited, which stops the whole task.",
      check: "Look at each container's exit code and reason, then the container logs in CloudWatch.",
      doc: DOCS.stoppedTaskErrors,
    },
    {
      code: "TaskFailedToStart",
      cause: "The task stopped before it ever ran.",
      check:
        "Read the stopped reason and each container's reason (aws ecs describe-tasks); typical causes are image pull, secrets, logging and network setup.",
      doc: DOCS.stoppedTaskErrorCodes,
    },
  ];

  /** Exit codes of an essential container; causes complete "Container "x" exited with code N: ". */
  const EXIT_CODE_HINTS: ReadonlyMap<number, Omit<HintEntry, "code">> = new Map([
    [
      1,
      {
        cause: "the application failed with a general error.",
        check: "Read the container's logs in CloudWatch for the error the job printed before exiting.",
        doc: DOCS.whyTaskStopped,
      },
    ],
    [
      2,
      {
        cause: "the command was misused (wrong arguments or shell syntax).",
        check:
          "Check command and arguments in the job spec against what the program accepts; read the container logs.",
        doc: DOCS.whyTaskStopped,
      },
    ],
    [
      126,
      {
        cause: "the command was found but is not executable.",
        check:
          "Check the executable bit and the user the container runs as, and command/entryPoint in the job.",
        doc: DOCS.whyTaskStopped,
      },
    ],
    [
      127,
      {
        cause: "the command was not found in the image.",
        check: "Check command/entryPoint in the job spec, the PATH and that the binary exists in the image.",
        doc: DOCS.whyTaskStopped,
      },
    ],
    [
      137,
      {
        cause:
          "it was killed with SIGKILL, most often for exceeding its memory limit, or for not exiting within stopTimeout after SIGTERM.",
        check:
          "Check the container's memory limit and MemoryUtilization; if the task was being stopped, handle SIGTERM faster or raise stopTimeout.",
        doc: DOCS.whyTaskStopped,
      },
    ],
    [
      139,
      {
        cause: "it crashed with a segmentation fault (SIGSEGV).",
        check:
          "Look for native crashes in the logs: incompatible native libraries or base image, or memory corruption.",
        doc: DOCS.whyTaskStopped,
      },
    ],
    [
      143,
      {
        cause:
          "it was terminated with SIGTERM, e.g. because the task was stopped or another essential container exited.",
        check: "Find what stopped the task (stop code, other containers' exit codes, CloudTrail StopTask).",
        doc: DOCS.whyTaskStopped,
      },
    ],
  ]);

  const GENERIC_EXIT_CODE: Omit<HintEntry, "code"> = {
    cause: "the application exited with an error.",
    check: "Read the container's logs in CloudWatch to see why the job exited with this code.",
    doc: DOCS.whyTaskStopped,
  };

  const SIGNAL_EXIT_CODE: Omit<HintEntry, "code"> = {
    cause: "it was killed by a signal.",
    check: "Find what sent the signal: the container's logs, the task's stop code, memory limits.",
    doc: DOCS.whyTaskStopped,
  };

  const NEVER_STARTED: HintEntry = {
    code: "NeverStarted",
    cause: "The task stopped before it ever ran.",
    check:
      "Read the stopped reason and each container's reason with aws ecs describe-tasks (ECS keeps stopped tasks about an hour).",
    doc: DOCS.stoppedTaskErrors,
  };

  const RUN_TASK_FAILURE: HintEntry = {
    code: "RunTaskFailure",
    cause: "ECS could not place the task.",
    check:
      "Read the failure's reason and detail; check the cluster's capacity and the request's subnets and launch type.",
    doc: DOCS.apiFailures,
  };

  const GENERIC_HINT: HintEntry = {
    code: GENERIC_HINT_CODE,
    cause: "The task failed for a reason not in the ecs-jobs catalogue.",
    check:
      "Read the stopped reason and each container's reason and exit code (aws ecs describe-tasks; ECS keeps stopped tasks about an hour), then the container logs in CloudWatch.",
    doc: DOCS.stoppedTaskErrors,
  };
  return {
    MESSAGE_RULES,
    FAILURE_RULES,
    EXTERNAL_STOP_CODES,
    OUTCOME_STOP_CODES,
    EXIT_CODE_HINTS,
    GENERIC_EXIT_CODE,
    SIGNAL_EXIT_CODE,
    NEVER_STARTED,
    RUN_TASK_FAILURE,
    GENERIC_HINT,
  };
}
