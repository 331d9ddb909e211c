/**
 * Hints for ECS API errors that end a run before any task exists (RunTask/StartTask answered 4xx).
 * The task-level hint catalogue (src/runs/hints) explains stopped tasks and placement failures; these are
 * the request-level errors of https://docs.aws.amazon.com/AmazonECS/latest/APIReference/CommonErrors.html
 * and the RunTask error list.
 */
import { formatHint, type Hint } from "./hints.ts";

const API_DOC =
  "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html#API_RunTask_Errors";

const HINTS: Record<string, Omit<Hint, "code" | "doc">> = {
  AccessDeniedException: {
    cause: "The launcher's IAM role is not allowed to make this ECS call.",
    check:
      "Check that the function role allows ecs:RunTask/ecs:StartTask on this task definition with the job's ecs:cluster, ecs:TagResource, and iam:PassRole on the task and execution roles (redeploy after changing the job).",
  },
  ClusterNotFoundException: {
    cause: "The job's cluster does not exist in this account and region.",
    check: "Check task.cluster (name or ARN) and the region the stack is deployed in.",
  },
  InvalidParameterException: {
    cause: "ECS rejected a parameter of the request.",
    check:
      "Run `ecs-jobs show NAME` and compare it with the task definition: subnets and security groups, launch type or capacity providers, the cpu/memory combination, and container names in overrides.",
  },
  PlatformUnknownException: {
    cause: "The Fargate platform version does not exist.",
    check: "Use platformVersion LATEST or a version listed in the Fargate platform versions page.",
  },
  PlatformTaskDefinitionIncompatibilityException: {
    cause: "The task definition is not compatible with the chosen Fargate platform version.",
    check: "Use a newer platformVersion (LATEST) or remove the features that version lacks.",
  },
  UnsupportedFeatureException: {
    cause: "The request uses a feature this region does not support.",
    check: "Check the region's ECS feature availability, or change the job's launch options.",
  },
  BlockedException: {
    cause: "The account is blocked from launching tasks (billing or verification).",
    check: "Contact AWS Support.",
  },
  LimitExceededException: {
    cause: "An ECS quota was reached (for example tasks per cluster or RunTask rate).",
    check: "Check the ECS service quotas of the account and request an increase if needed.",
  },
  ClientException: {
    cause: "ECS rejected the request (often an unknown or INACTIVE task definition revision).",
    check:
      "Check that task.taskDefinition names an ACTIVE revision in this region, and read the error message.",
  },
};

const FALLBACK = {
  cause: "ECS rejected the launch request.",
  check: "Read the error message; run `ecs-jobs show NAME` to see the exact request that was sent.",
};

/**
 * Errors that may pass later (throttling, 5xx, network, an answer the SDK could not read), once the SDK's
 * retries are spent: the run ends FAILED rather than waiting, and says what happened and where.
 */
const TRANSIENT = {
  check:
    "Throttling (ThrottlingException, Rate exceeded): spread the schedules of the jobs that launch together, or ask for a higher RunTask rate quota. A 5xx, a network error or an unreadable answer: check the AWS Health Dashboard for ECS in this region. policy.retries with `reason:<error name>` launches the run again. If ECS started a task despite the error, its events still reach this run (recognised by its startedBy).",
};

/**
 * The run's hint for an ECS error answered to RunTask/StartTask. `where` names the request (operation,
 * cluster, batch) for an error that is not about the request's content.
 */
export function apiErrorHint(
  name: string,
  message: string,
  options: { transient?: boolean; where?: string } = {},
): string {
  if (options.transient) {
    const detail = message.trim() ? `: ${message.trim().split("\n")[0]?.replace(/\.$/, "")}` : "";
    return formatHint({
      code: name,
      cause: `ECS answered ${options.where ?? "the launch request"} with ${name}, after the SDK's retries${detail}.`,
      check: TRANSIENT.check,
      doc: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/request-throttling.html",
    });
  }
  const h = (Object.hasOwn(HINTS, name) && HINTS[name]) || FALLBACK;
  const detail = message.trim() ? ` (${message.trim().replace(/\.$/, "")})` : "";
  return formatHint({
    code: name,
    cause: `${h.cause.replace(/\.$/, "")}${detail}.`,
    check: h.check,
    doc: API_DOC,
  });
}
