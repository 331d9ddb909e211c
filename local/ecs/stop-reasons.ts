/**
 * The texts ECS puts in stoppedReason and container reasons, in the forms its documentation gives:
 * "Stopped tasks error codes" and "CannotPullContainer task errors"
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-error-codes.html).
 */

export const ESSENTIAL_EXITED = "Essential container in task exited";
export const SPOT_INTERRUPTED = "Your Spot Task was interrupted.";
export const OOM_REASON = "OutOfMemoryError: Container killed due to memory usage";
export const USER_STOPPED = "Task stopped by user";
/** The container exit code of a stop whose SIGTERM was honoured (128+15). */
export const EXIT_SIGTERM = 143;

/** `alpine` → `docker.io/library/alpine:latest`, as containerd resolves the reference it then fails on. */
function imageRef(image: string): string {
  const [nameTag = image, digest] = image.split("@");
  const slash = nameTag.indexOf("/");
  const first = slash === -1 ? "" : nameTag.slice(0, slash);
  const hasRegistry = first.includes(".") || first.includes(":") || first === "localhost";
  let ref = hasRegistry ? nameTag : `docker.io/${slash === -1 ? `library/${nameTag}` : nameTag}`;
  const lastPart = ref.slice(ref.lastIndexOf("/") + 1);
  if (!lastPart.includes(":") && digest === undefined) ref += ":latest";
  return digest === undefined ? ref : `${ref}@${digest}`;
}

/**
 * The stoppedReason of a task that failed to start with `reason` (the part after `failToStart:`).
 * Known error names get ECS's full message; anything else is passed through as written, so a job can
 * rehearse an exact message it saw in AWS.
 */
export function failedToStartReason(
  reason: string,
  ctx: { image: string; region: string; accountId: string },
): string {
  const ref = imageRef(ctx.image);
  switch (reason) {
    case "CannotPullContainerError":
      return `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ${ref}: not found`;
    case "ResourceInitializationError":
      return `ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret arn:aws:secretsmanager:${ctx.region}:${ctx.accountId}:secret:local-secret from secrets manager: AccessDeniedException: User is not authorized to perform: secretsmanager:GetSecretValue`;
    case "CannotStartContainerError":
      return `CannotStartContainerError: Error response from daemon: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "app": executable file not found in $PATH: unknown`;
    case "CannotCreateVolumeError":
      return "CannotCreateVolumeError: failed to create volume: the local volume could not be created";
    case "ContainerRuntimeTimeoutError":
      return "ContainerRuntimeTimeoutError: Could not transition to running; timed out after waiting 3m0s";
    default:
      return reason;
  }
}

/** A spawn failure of an exec container, worded like the runtime's "executable file not found". */
export function execFailedReason(command: string, error: NodeJS.ErrnoException): string {
  const what =
    error.code === "ENOENT"
      ? "executable file not found in $PATH"
      : error.code === "EACCES"
        ? "permission denied"
        : error.message;
  return `CannotStartContainerError: Error response from daemon: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: ${JSON.stringify(command)}: ${what}: unknown`;
}
