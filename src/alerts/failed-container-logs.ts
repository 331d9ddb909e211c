/**
 * Where the failed container logged, and its last lines, so an alert can be acted on without the console.
 * The stream name follows the awslogs driver: `<awslogs-stream-prefix>/<container>/<task id>`; without a
 * prefix the stream is named after the Docker container id, which only the instance knows, so no link.
 * (ECS task definition parameters, logConfiguration: awslogs-group, awslogs-region, awslogs-stream-prefix.)
 */
import { DescribeTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import type { AwsClients } from "../aws/clients.ts";
import type { AppConfig } from "../config.ts";
import type { Job } from "../jobspec/schema.ts";
import type { Log } from "../log.ts";
import { taskSucceeded } from "../runs/aggregate.ts";
import type { ContainerState, Run, TaskState } from "../runs/model.ts";

export const LAST_LINES = 20;

export interface AlertLogs {
  taskArn: string;
  container: string;
  group: string;
  stream: string;
  region: string;
  /** The CloudWatch console page of the stream. */
  streamUrl: string;
  /** Oldest first. */
  lastLines: string[];
}

/**
 * The console's fragment router wants each path segment URI-encoded twice with `%` written as `$`
 * (`/` → `$252F`), as links copied from the CloudWatch console show.
 */
const consoleSegment = (s: string): string => encodeURIComponent(encodeURIComponent(s)).replace(/%/g, "$");

export function logStreamUrl(region: string, group: string, stream: string): string {
  return (
    `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}` +
    `#logsV2:log-groups/log-group/${consoleSegment(group)}/log-events/${consoleSegment(stream)}`
  );
}

const stopTime = (t: TaskState): number => {
  const ms = t.stoppedAt ? Date.parse(t.stoppedAt) : Number.NaN;
  return Number.isNaN(ms) ? Number.POSITIVE_INFINITY : ms;
};

/** The task that failed first (most likely the cause) and its container that explains it best. */
export function failedContainer(run: Run): { task: TaskState; container: ContainerState } | undefined {
  const stopped = run.tasks.filter((t) => t.lastStatus === "STOPPED" && !taskSucceeded(t));
  const candidates = stopped.length > 0 ? stopped : run.tasks.filter((t) => t.lastStatus !== "STOPPED");
  const task = [...candidates].sort((a, b) => stopTime(a) - stopTime(b))[0];
  if (!task) return undefined;
  const essential = task.containers.filter((c) => c.essential !== false);
  const container =
    essential.find((c) => c.exitCode !== undefined && c.exitCode !== 0) ??
    task.containers.find((c) => c.reason !== undefined) ??
    essential[0] ??
    task.containers[0];
  return container ? { task, container } : undefined;
}

const taskIdOf = (taskArn: string): string => taskArn.slice(taskArn.lastIndexOf("/") + 1);

export async function failedContainerLogs(
  deps: { clients: Pick<AwsClients, "ecs" | "logs">; config: Pick<AppConfig, "region">; log: Log },
  job: Job,
  run: Run,
): Promise<AlertLogs | undefined> {
  const failed = failedContainer(run);
  if (!failed) return undefined;
  let options: Record<string, string> | undefined;
  try {
    const out = await deps.clients.ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: job.spec.task.taskDefinition }),
    );
    const def = out.taskDefinition?.containerDefinitions?.find((c) => c.name === failed.container.name);
    if (def?.logConfiguration?.logDriver === "awslogs") options = def.logConfiguration.options;
  } catch (error) {
    deps.log.warn("could not read the task definition for the alert's log link", { error: String(error) });
    return undefined;
  }
  const group = options?.["awslogs-group"];
  const prefix = options?.["awslogs-stream-prefix"];
  if (!group || !prefix) return undefined;
  const region = options?.["awslogs-region"] ?? deps.config.region;
  const stream = `${prefix}/${failed.container.name}/${taskIdOf(failed.task.taskArn)}`;
  return {
    taskArn: failed.task.taskArn,
    container: failed.container.name,
    group,
    stream,
    region,
    streamUrl: logStreamUrl(region, group, stream),
    // The logs client is bound to this deployment's region; another region gets the link only.
    lastLines: region === deps.config.region ? await lastLines(deps, group, stream, failed.container) : [],
  };
}

async function lastLines(
  deps: { clients: Pick<AwsClients, "logs">; log: Log },
  group: string,
  stream: string,
  container: ContainerState,
) {
  // Loaded on first use: a run-end client, kept out of the handlers' cold start (handlers/lambda-clients.ts).
  const { GetLogEventsCommand, ResourceNotFoundException } = await import(
    "../aws/sdk/client-cloudwatch-logs.ts"
  );
  try {
    const out = await deps.clients.logs.send(
      new GetLogEventsCommand({
        logGroupName: group,
        logStreamName: stream,
        startFromHead: false,
        limit: LAST_LINES,
      }),
    );
    return (out.events ?? []).map((e) => (e.message ?? "").replace(/\r?\n$/, ""));
  } catch (error) {
    explainMissingLines(deps.log, error, error instanceof ResourceNotFoundException, {
      group,
      stream,
      container,
    });
    return [];
  }
}

/**
 * Why there are no lines. GetLogEvents answers ResourceNotFoundException both for a missing group and for a
 * missing stream; only the message tells them apart. No stream is what a container that never started
 * leaves (a failed pull, a missing secret): expected, not a warning. A container that ran (it has an exit
 * code) and left no stream, a missing group, no permission or an outage are worth a warning.
 */
function explainMissingLines(
  log: Pick<Log, "info" | "warn">,
  error: unknown,
  notFound: boolean,
  o: { group: string; stream: string; container: ContainerState },
): void {
  if (!notFound || !(error instanceof Error)) {
    log.warn("could not read the failed container's last log lines", { error: String(error) });
    return;
  }
  const ran = o.container.exitCode !== undefined;
  if (/log group/i.test(error.message))
    log.warn(
      `log group ${o.group} does not exist: check awslogs-group in the task definition (or awslogs-create-group)`,
      { group: o.group },
    );
  else if (ran)
    log.warn(
      `container ${o.container.name} exited ${o.container.exitCode} but wrote no log stream ${o.stream} in ${o.group}`,
      { group: o.group, stream: o.stream },
    );
  else log.info("the failed container wrote no log stream (it never started)", { stream: o.stream });
}
