import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { hintCatalogue } from "../../src/runs/hints/catalogue.ts";
import { formatHint, GENERIC_HINT_CODE, type HintInput, hintFor } from "../../src/runs/hints.ts";

const ecsModel = JSON.parse(
  readFileSync(resolve(import.meta.dirname, "../../../shared/aws-models/ecs.json"), "utf8"),
) as { shapes: Record<string, { enum?: string[] }> };
const stopCodes = ecsModel.shapes.TaskStopCode?.enum ?? [];

describe("stop codes", () => {
  it("reads the TaskStopCode enum from the ECS model", () => {
    expect(stopCodes).toContain("TaskFailedToStart");
  });

  // A stop code added to the model without a catalogue entry fails here.
  it.each(stopCodes)("%s has its own hint", (stopCode) => {
    const h = hintFor({ stopCode });
    expect(h.code).toBe(stopCode);
    expect(h.code).not.toBe(GENERIC_HINT_CODE);
  });
});

const pullNotFound =
  "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 111122223333.dkr.ecr.us-east-1.amazonaws.com/app:v2: 111122223333.dkr.ecr.us-east-1.amazonaws.com/app:v2: not found";

// Messages as ECS reports them (developer guide examples and knowledge-center articles).
const containerReasons: [string, string][] = [
  [pullNotFound, "CannotPullContainerError.ImageNotFound"],
  [
    "CannotPullContainerError: API error (404): repository 111122223333.dkr.ecr.us-east-1.amazonaws.com/team/app not found",
    "CannotPullContainerError.ImageNotFound",
  ],
  [
    "CannotPullContainerError: Error response from daemon: manifest for 111122223333.dkr.ecr.us-east-1.amazonaws.com/app:latest not found: manifest unknown: Requested image not found",
    "CannotPullContainerError.ImageNotFound",
  ],
  [
    "CannotPullImageManifestError: failed to resolve ref 111122223333.dkr.ecr.us-east-1.amazonaws.com/app:v9: not found",
    "CannotPullContainerError.ImageNotFound",
  ],
  [
    'CannotPullContainerError: API error (500): Get https://111122223333.dkr.ecr.us-east-1.amazonaws.com/v2/: net/http: request canceled while waiting for connection"',
    "CannotPullContainerError.Network",
  ],
  [
    'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref docker.io/tryretool/backend:2.110.5: failed to do request: Head "https://registry-1.docker.io/v2/tryretool/backend/manifests/2.110.5": dial tcp 34.205.13.154:443: i/o timeout',
    "CannotPullContainerError.Network",
  ],
  ["CannotPullContainerError: context canceled", "CannotPullContainerError.Network"],
  [
    "CannotPullContainerError: Error response from daemon: Get https://111122223333.dkr.ecr.us-east-1.amazonaws.com/v2/app/manifests/latest: no basic auth credentials",
    "CannotPullContainerError.AccessDenied",
  ],
  [
    "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 111122223333.dkr.ecr.us-east-1.amazonaws.com/app:latest: pulling from host 111122223333.dkr.ecr.us-east-1.amazonaws.com failed with status code [manifests latest]: 403 Forbidden",
    "CannotPullContainerError.AccessDenied",
  ],
  [
    "CannotPullContainerError: ref pull has been retried 1 time(s): failed to copy: httpReaderSeeker: failed open: unexpected status code https://111122223333.dkr.ecr.us-east-1.amazonaws.com/v2/app/blobs/sha256:4a5b: 403 Forbidden",
    "CannotPullContainerError.AccessDenied",
  ],
  [
    "CannotPullContainerError: inspect image has been retried 1 time(s): httpReaderSeeker: failed open: unexpected status code https://registry-1.docker.io/v2/library/nginx/manifests/sha256:9f1c: 429 Too Many Requests - Server message: toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limits",
    "CannotPullContainerError.RateLimit",
  ],
  [
    "CannotPullContainerError: write /var/lib/docker/tmp/GetImageBlob111111111: no space left on device",
    "NoSpaceLeftOnDevice",
  ],
  [
    "CannotPullContainerError: image Manifest does not contain descriptor matching platform 'linux/arm64'",
    "CannotPullContainerError.Platform",
  ],
  ["CannotPullContainerError: failed to extract layer", "CannotPullContainerError"],
  [
    "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf from secrets manager: AccessDeniedException: User: arn:aws:sts::111122223333:assumed-role/ecsTaskExecutionRole/4c2e is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf",
    "ResourceInitializationError.Secrets",
  ],
  [
    "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 time(s): invalid ssm parameters: /app/db-password",
    "ResourceInitializationError.Secrets",
  ],
  [
    'ResourceInitializationError: unable to pull secrets or registry auth: The task cannot pull registry auth from Amazon ECR: There is a connection issue between the task and Amazon ECR. Check your task network configuration. RequestError: send request failed caused by: Post "https://api.ecr.us-east-1.amazonaws.com/": dial tcp 52.46.1.1:443: i/o timeout',
    "ResourceInitializationError.RegistryAuth",
  ],
  [
    "ResourceInitializationError: unable to retrieve ecr registry auth: service call has been retried 3 time(s): AccessDeniedException: User is not authorized to perform: ecr:GetAuthorizationToken",
    "ResourceInitializationError.RegistryAuth",
  ],
  [
    'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: There is a connection issue between the task and AWS Secrets Manager. Check your task network configuration. RequestError: send request failed caused by: Post "https://secretsmanager.us-east-1.amazonaws.com/": dial tcp 10.0.0.1:443: i/o timeout',
    "ResourceInitializationError.Network",
  ],
  [
    "ResourceInitializationError: unable to pull secrets or registry auth: pull command failed: : signal: killed",
    "ResourceInitializationError.Network",
  ],
  [
    "ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist. : exit status 1",
    "ResourceInitializationError.Logging",
  ],
  [
    "ResourceInitializationError: failed to validate logger args: : signal: killed",
    "ResourceInitializationError.Logging",
  ],
  [
    'ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: Failed to resolve "fs-0123456789abcdef0.efs.us-east-1.amazonaws.com" - check that your file system ID is correct',
    "ResourceInitializationError.Volume",
  ],
  [
    "ResourceInitializationError: failed to download env files: file download command: non empty error stream: service call has been retried 5 time(s): AccessDenied: Access Denied",
    "ResourceInitializationError.EnvironmentFile",
  ],
  [
    "ResourceInitializationError: failed to configure ENI: failed to setup regular eni: netplugin failed with no error message",
    "ResourceInitializationError",
  ],
  ["OutOfMemoryError: Container killed due to memory usage", "OutOfMemoryError"],
  [
    'CannotStartContainerError: Error response from daemon: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "/app/run": stat /app/run: no such file or directory: unknown',
    "CannotStartContainerError.Command",
  ],
  [
    'CannotStartContainerError: Error response from daemon: OCI runtime create failed: container_linux.go:349: starting container process caused "exec: \\"report\\": executable file not found in $PATH": unknown',
    "CannotStartContainerError.Command",
  ],
  ["exec /usr/local/bin/docker-entrypoint.sh: exec format error", "CannotStartContainerError.Architecture"],
  [
    "CannotStartContainerError: failed to get container status: context deadline exceeded",
    "CannotStartContainerError",
  ],
  [
    "CannotCreateContainerError: Error response from daemon: devmapper: Thin Pool has 4350 free data blocks",
    "CannotCreateContainerError",
  ],
  [
    "CannotCreateVolumeError: failed to create volume data: driver rexray not found",
    "CannotCreateVolumeError",
  ],
  [
    "CannotInspectContainerError: Could not transition to inspecting; timed out after waiting 30s",
    "CannotInspectContainerError",
  ],
  [
    "CannotStopContainerError: failed sending SIGTERM to container: context deadline exceeded",
    "CannotStopContainerError",
  ],
  [
    "ContainerRuntimeTimeoutError: Could not transition to running; timed out after waiting 1m: container create timeout",
    "ContainerRuntimeTimeoutError",
  ],
  [
    "DockerTimeoutError: Could not transition to started; timed out after waiting 3m0s",
    "ContainerRuntimeTimeoutError",
  ],
  ["ContainerRuntimeError: failed to create container: unknown", "ContainerRuntimeError"],
  ["InternalError: failed to get task metadata", "InternalError"],
];

const stoppedReasons: [string, string][] = [
  [
    "Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/jobs/73e2d6bc24d8a067)",
    "ElbHealthCheck",
  ],
  ["Task failed container health checks", "ContainerHealthCheck"],
  ["Host EC2 (instance i-0a1b2c3d4e5f67890) terminated.", "HostStopped"],
  ["Container instance deregistration forced by user", "HostStopped"],
  [
    "CannotPullContainerError: ref pull has been retried 1 time(s): context canceled",
    "CannotPullContainerError.Network",
  ],
];

const failures: [string, string][] = [
  ["RESOURCE:CPU", "RESOURCE:CPU"],
  ["RESOURCE:MEMORY", "RESOURCE:MEMORY"],
  ["RESOURCE:PORTS", "RESOURCE:PORTS"],
  ["RESOURCE:PORTS_UDP", "RESOURCE:PORTS"],
  ["RESOURCE:ENI", "RESOURCE:ENI"],
  ["RESOURCE:GPU", "RESOURCE:GPU"],
  ["RESOURCE:INFERENCE", "RESOURCE"],
  ["AGENT", "AGENT"],
  ["ATTRIBUTE", "ATTRIBUTE"],
  ["MISSING", "MISSING"],
  ["INACTIVE", "INACTIVE"],
  ["LOCATION", "LOCATION"],
  ["LaunchInterrupted", "LaunchInterrupted"],
  [
    "Capacity is unavailable at this time. Please try again later or in a different availability zone",
    "CapacityUnavailable",
  ],
];

describe("messages", () => {
  it.each(containerReasons)("container reason %s", (reason, code) => {
    const input: HintInput = {
      stopCode: "TaskFailedToStart",
      stoppedReason: "Task failed to start",
      containers: [{ name: "app", reason }],
      wasStarted: false,
    };
    expect(hintFor(input).code).toBe(code);
  });

  it.each(stoppedReasons)("stopped reason %s", (stoppedReason, code) => {
    expect(hintFor({ stoppedReason, stopCode: "EssentialContainerExited" }).code).toBe(code);
  });

  it.each(failures)("RunTask failure %s", (reason, code) => {
    const arn = "arn:aws:ecs:us-east-1:111122223333:container-instance/default/b54a2a04046f4331";
    expect(hintFor({ failures: [{ arn, reason }] }).code).toBe(code);
  });

  it("an unknown RunTask failure still says the task could not be placed", () => {
    expect(hintFor({ failures: [{ reason: "DRAINING" }] }).code).toBe("RunTaskFailure");
  });

  it("covers every catalogue rule with at least one real-looking message", () => {
    const tested = new Set([...containerReasons, ...stoppedReasons, ...failures].map(([, code]) => code));
    for (const rule of [...hintCatalogue().MESSAGE_RULES, ...hintCatalogue().FAILURE_RULES])
      expect(tested).toContain(rule.code);
  });
});

describe("exit codes", () => {
  it.each([
    [1, "ExitCode.1"],
    [2, "ExitCode.2"],
    [126, "ExitCode.126"],
    [127, "ExitCode.127"],
    [137, "ExitCode.137"],
    [139, "ExitCode.139"],
    [143, "ExitCode.143"],
    [134, "ExitCode.Signal"],
    [3, "ExitCode.NonZero"],
    [255, "ExitCode.NonZero"],
  ])("exit code %i", (exitCode, code) => {
    const h = hintFor({
      stopCode: "EssentialContainerExited",
      stoppedReason: "Essential container in task exited",
      containers: [{ name: "report", exitCode }],
      wasStarted: true,
    });
    expect(h.code).toBe(code);
    expect(h.cause).toContain(`"report" exited with code ${exitCode}`);
  });

  it("names the signal for 128+n", () => {
    expect(hintFor({ containers: [{ name: "app", exitCode: 134 }] }).cause).toContain("SIGABRT");
  });
});

describe("precedence", () => {
  it("an out-of-memory reason beats its exit code 137", () => {
    const h = hintFor({
      stopCode: "EssentialContainerExited",
      containers: [
        { name: "app", exitCode: 137, reason: "OutOfMemoryError: Container killed due to memory usage" },
      ],
    });
    expect(h.code).toBe("OutOfMemoryError");
  });

  it("uses the essential container's exit code, not a non-essential sidecar's", () => {
    const h = hintFor({
      stopCode: "EssentialContainerExited",
      stoppedReason: "Essential container in task exited",
      containers: [
        { name: "log-router", exitCode: 1, essential: false },
        { name: "app", exitCode: 137 },
      ],
    });
    expect(h.code).toBe("ExitCode.137");
    expect(h.cause).toContain('"app"');
  });

  it("ignores a non-essential container's failure when the essential ones exited 0", () => {
    const h = hintFor({
      stopCode: "EssentialContainerExited",
      containers: [
        { name: "app", exitCode: 0, essential: true },
        { name: "sidecar", exitCode: 1, essential: false },
      ],
    });
    expect(h.code).toBe("EssentialContainerExited");
  });

  it("a Spot interruption explains the SIGTERM exit code it caused", () => {
    const h = hintFor({
      stopCode: "SpotInterruption",
      stoppedReason: "Your Spot Task was interrupted.",
      containers: [{ name: "app", exitCode: 143 }],
    });
    expect(h.code).toBe("SpotInterruption");
  });

  it("StopTask explains the SIGKILL exit code it caused", () => {
    const h = hintFor({
      stopCode: "UserInitiated",
      stoppedReason: "Task stopped by user",
      containers: [{ name: "app", exitCode: 137 }],
    });
    expect(h.code).toBe("UserInitiated");
  });

  it("a container's pull error beats the TaskFailedToStart stop code", () => {
    const h = hintFor({ stopCode: "TaskFailedToStart", containers: [{ name: "app", reason: pullNotFound }] });
    expect(h.code).toBe("CannotPullContainerError.ImageNotFound");
  });

  it("a task that never started, with nothing else known, says so", () => {
    expect(hintFor({ wasStarted: false }).code).toBe("NeverStarted");
  });
});

describe("unknown messages", () => {
  it.each([
    [{ stoppedReason: "Something nobody documented happened" }],
    [{ stopCode: "SomeFutureStopCode" }],
    [{}],
  ] as [HintInput][])("%j gets the generic hint with where to look", (input) => {
    const h = hintFor(input);
    expect(h.code).toBe(GENERIC_HINT_CODE);
    expect(formatHint(h)).toContain("aws ecs describe-tasks");
    expect(formatHint(h)).toMatch(/logs/);
  });
});

describe("formatHint", () => {
  it("is the cause then the check, as two sentences", () => {
    const h = hintFor({ failures: [{ reason: "RESOURCE:MEMORY" }] });
    const text = formatHint(h);
    expect(text.startsWith(h.cause)).toBe(true);
    expect(text.endsWith(h.check)).toBe(true);
    expect(text.match(/[.!?](\s|$)/g)).toHaveLength(2);
  });

  it("adds the missing full stop", () => {
    expect(formatHint({ code: "x", cause: "It broke", check: "Look at it", doc: "" })).toBe(
      "It broke. Look at it.",
    );
  });

  it("every hint points at an AWS page", () => {
    for (const rule of [...hintCatalogue().MESSAGE_RULES, ...hintCatalogue().FAILURE_RULES])
      expect(rule.doc).toMatch(/^https:\/\//);
    for (const stopCode of stopCodes) expect(hintFor({ stopCode }).doc).toMatch(/^https:\/\//);
  });
});
