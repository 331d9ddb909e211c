/**
 * A run's container log lines (SPEC section 6: `ecs-jobs logs`, GET /runs/{runId}/logs, `run --wait`), read
 * from CloudWatch Logs where the awslogs driver puts them: the group and stream prefix come from the task
 * definition, the stream is `<prefix>/<container>/<task id>`. Locally the same calls reach the stand-in,
 * which serves what the emulator captured. A container that does not log with awslogs (or has no stream
 * prefix, so its stream is named after a Docker id ECS does not report) gets a notice, not lines.
 *
 * Throttling: the SDK's retry strategy retries it; if it persists, a one-shot read fails with ThrottledError
 * naming the stream (503 over HTTP), and a follower skips that stream for the round and reads it next time.
 */
import type { GetLogEventsCommandOutput } from "@aws-sdk/client-cloudwatch-logs";
import { type ContainerDefinition, DescribeTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import type { AwsClients } from "../aws/clients.ts";
import { classifyAwsError, errorName } from "../aws/ecs-call.ts";
import type { AppConfig } from "../config.ts";
import { EcsJobsError, ThrottledError, ValidationError } from "../errors.ts";
import type { Job } from "../jobspec/schema.ts";
import type { Log } from "../log.ts";
import type { Run } from "../runs/model.ts";

export interface LogStream {
  taskArn: string;
  taskId: string;
  container: string;
  group: string;
  stream: string;
}

export interface LogLine {
  /** The task id (last part of its ARN) and the container: the prefix of each printed line. */
  task: string;
  container: string;
  /** Epoch ms, as CloudWatch Logs stamps the event. */
  timestamp: number;
  message: string;
}

export interface LogFilter {
  /** A task ARN or id of the run. */
  task?: string;
  container?: string;
}

/** The log service's port: the task definitions (ECS) and the log streams (CloudWatch Logs) of one region. */
export interface LogDeps {
  clients: Pick<AwsClients, "ecs" | "logs">;
  config: Pick<AppConfig, "region">;
  log: Log;
}

/** How each container of the task definition logs: awslogs options, or why its lines cannot be read. */
export type ContainerLogging = Map<string, { group: string; prefix: string } | { notice: string }>;

export const taskIdOf = (taskArn: string): string => taskArn.slice(taskArn.lastIndexOf("/") + 1);

/** `1a2b3c4d/app | message`: the task id shortened as the ECS console shows it, then the container. */
export const formatLogLine = (l: LogLine): string => `${l.task.slice(0, 8)}/${l.container} | ${l.message}`;

export class LogsUnavailableError extends EcsJobsError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super("LogsUnavailable", message, options);
  }
}

export async function containerLogging(deps: LogDeps, job: Job): Promise<ContainerLogging> {
  const taskDefinition = job.spec.task.taskDefinition;
  let defs: ContainerDefinition[];
  try {
    const out = await deps.clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition }));
    defs = out.taskDefinition?.containerDefinitions ?? [];
  } catch (error) {
    if (classifyAwsError(error) === "client")
      throw new LogsUnavailableError(
        `cannot read task definition ${taskDefinition} of job ${job.name} (${errorName(error)}): it says where the containers log`,
        { cause: error },
      );
    throw error;
  }
  const out: ContainerLogging = new Map();
  for (const def of defs) {
    if (!def.name) continue;
    const config = def.logConfiguration;
    const group = config?.options?.["awslogs-group"];
    const prefix = config?.options?.["awslogs-stream-prefix"];
    const region = config?.options?.["awslogs-region"];
    if (config?.logDriver !== "awslogs")
      out.set(def.name, {
        notice: `container ${def.name} logs with ${config?.logDriver ?? "no log driver"}, not awslogs: its lines are not in CloudWatch Logs`,
      });
    else if (!group || !prefix)
      out.set(def.name, {
        notice: `container ${def.name} logs with awslogs but without ${group ? "awslogs-stream-prefix" : "awslogs-group"}: its stream cannot be named`,
      });
    else if (region && region !== deps.config.region)
      out.set(def.name, { notice: `container ${def.name} logs to ${region}, not ${deps.config.region}` });
    else out.set(def.name, { group, prefix });
  }
  return out;
}

/** The streams of the run's tasks (as recorded so far), filtered; notices for containers without them. */
export function streamsOf(
  run: Run,
  logging: ContainerLogging,
  filter: LogFilter = {},
): { streams: LogStream[]; notices: string[] } {
  const tasks = filter.task
    ? run.tasks.filter((t) => t.taskArn === filter.task || taskIdOf(t.taskArn) === filter.task)
    : run.tasks;
  if (filter.task && tasks.length === 0)
    throw new ValidationError(
      `task: ${filter.task} is not a task of run ${run.runId}${run.tasks.length ? ` (its tasks: ${run.tasks.map((t) => taskIdOf(t.taskArn)).join(", ")})` : " (it has no task yet)"}`,
      { field: "task" },
    );
  if (filter.container && !logging.has(filter.container))
    throw new ValidationError(
      `container: the task definition has no container ${filter.container} (its containers: ${[...logging.keys()].join(", ")})`,
      { field: "container" },
    );
  const streams: LogStream[] = [];
  const notices = new Set<string>();
  for (const [container, how] of logging) {
    if (filter.container && container !== filter.container) continue;
    if ("notice" in how) {
      notices.add(how.notice);
      continue;
    }
    for (const t of tasks) {
      const taskId = taskIdOf(t.taskArn);
      streams.push({
        taskArn: t.taskArn,
        taskId,
        container,
        group: how.group,
        stream: `${how.prefix}/${container}/${taskId}`,
      });
    }
  }
  return { streams, notices: [...notices] };
}

const isNotFound = (e: unknown) => (e as { name?: unknown } | null)?.name === "ResourceNotFoundException";

/** The SDK's own retries are done by the time an error gets here: say what could not be read. */
function translate(error: unknown, s: LogStream): unknown {
  const kind = classifyAwsError(error);
  if (kind === "throttle")
    return new ThrottledError(`CloudWatch Logs throttled reading ${s.group} ${s.stream}; try again shortly`, {
      cause: error,
    });
  if (kind === "client")
    return new LogsUnavailableError(
      `cannot read log stream ${s.stream} of group ${s.group} (${errorName(error)}): check logs:GetLogEvents on that group`,
      { cause: error },
    );
  return error;
}

const linesOf = (s: LogStream, out: GetLogEventsCommandOutput): LogLine[] =>
  (out.events ?? []).map((e) => ({
    task: s.taskId,
    container: s.container,
    timestamp: e.timestamp ?? 0,
    message: (e.message ?? "").replace(/\r?\n$/, ""),
  }));

/** A safety bound: a stream read page by page must end even if tokens never repeat. */
const MAX_PAGES = 1_000;

/**
 * Reads a stream forward from `token` (or `startTime`) to its current end, page by page: CloudWatch Logs
 * answers the token it was given when there is nothing more. Resolves to the lines and the token to go on
 * from; a stream that does not exist yet (a container not started) has no lines and no token.
 */
export async function readForward(
  deps: LogDeps,
  s: LogStream,
  from: { token?: string | undefined; startTime?: number | undefined },
): Promise<{ lines: LogLine[]; token: string | undefined }> {
  const lines: LogLine[] = [];
  let token = from.token;
  // Loaded on first use: a run-end client, kept out of the handlers' cold start (handlers/lambda-clients.ts).
  const { GetLogEventsCommand } = await import("../aws/sdk/client-cloudwatch-logs.ts");
  for (let page = 0; page < MAX_PAGES; page++) {
    let out: GetLogEventsCommandOutput;
    try {
      out = await deps.clients.logs.send(
        new GetLogEventsCommand({
          logGroupName: s.group,
          logStreamName: s.stream,
          startFromHead: true,
          ...(token ? { nextToken: token } : from.startTime !== undefined && { startTime: from.startTime }),
        }),
      );
    } catch (error) {
      if (isNotFound(error)) return { lines, token };
      throw translate(error, s);
    }
    lines.push(...linesOf(s, out));
    const next = out.nextForwardToken;
    if (!next || next === token) return { lines, token: next ?? token };
    token = next;
  }
  return { lines, token };
}

/** The last `limit` lines of a stream, in one call. */
async function readTail(deps: LogDeps, s: LogStream, limit: number): Promise<LogLine[]> {
  // Loaded on first use: a run-end client, kept out of the handlers' cold start (handlers/lambda-clients.ts).
  const { GetLogEventsCommand } = await import("../aws/sdk/client-cloudwatch-logs.ts");
  try {
    const out = await deps.clients.logs.send(
      new GetLogEventsCommand({
        logGroupName: s.group,
        logStreamName: s.stream,
        startFromHead: false,
        limit,
      }),
    );
    return linesOf(s, out);
  } catch (error) {
    if (isNotFound(error)) return [];
    throw translate(error, s);
  }
}

/** Oldest first; lines of the same instant keep their stream's order (sort is stable). */
export const byTime = (lines: LogLine[]): LogLine[] => lines.sort((a, b) => a.timestamp - b.timestamp);

/** GET /runs/{runId}/logs: the last `limit` lines of the run, across its streams. */
export async function lastRunLines(
  deps: LogDeps,
  job: Job,
  run: Run,
  limit: number,
  filter: LogFilter = {},
): Promise<{ lines: LogLine[]; notices: string[] }> {
  const { streams, notices } = streamsOf(run, await containerLogging(deps, job), filter);
  const all: LogLine[] = [];
  for (const s of streams) all.push(...(await readTail(deps, s, limit)));
  return { lines: byTime(all).slice(-limit), notices };
}
