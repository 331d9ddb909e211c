/**
 * What a run's status, times, hint and cost need to know of its tasks, in a few numbers and one task: so
 * that a run whose tasks are stored in several parts (src/ledger/task-parts.ts, runs of thousands of tasks)
 * is aggregated from each part's summary without reading the others. Summaries combine in any order and
 * grouping to the summary of all the tasks, so the parts' summaries give the run exactly what its whole
 * task list gives (aggregate.ts and cost.ts read a summary, whichever way a run is stored). What the
 * tasks used on Fargate, summed, is task-usage.ts.
 */
import type { ContainerState, TaskState } from "./model.ts";
import { addUsage, type UsageSum, usageOf } from "./task-usage.ts";

export interface TaskSummary {
  tasks: number;
  stopped: number;
  /** Some task ran (was seen RUNNING or with a start time). */
  started: boolean;
  earliestStart?: string;
  latestStop?: string;
  /** Tasks that did not succeed (taskSucceeded), and the one that failed first: the likely cause. */
  failed: number;
  firstFailed?: TaskState;
  /** The region of the first task (ARN), for the price table. */
  region?: string;
  usage?: UsageSum;
}

export const EMPTY_SUMMARY: TaskSummary = {
  tasks: 0,
  stopped: 0,
  started: false,
  failed: 0,
  usage: { vcpuSeconds: 0, gbSeconds: 0, usd: 0, spot: false, windows: false },
};

const isEssential = (c: ContainerState): boolean => c.essential !== false;

/**
 * A task that never ran failed to start, whatever its exit codes say. A task with no essential container
 * on record cannot be shown to have succeeded (ECS requires at least one), so it does not count as one.
 */
export function taskSucceeded(t: TaskState): boolean {
  if (t.lastStatus !== "STOPPED" || t.started !== true) return false;
  const essential = t.containers.filter(isEssential);
  return essential.length > 0 && essential.every((c) => c.exitCode === 0);
}

const time = (iso: string | undefined): number => (iso === undefined ? Number.NaN : Date.parse(iso));

/**
 * The better of two times by `better`; an absent or unreadable one loses. Each is parsed once: a part of a
 * 10,000-task run is summarised at each of its changes, and parsing four times was 18.6 s of CPU in a
 * 10,000-task wall-clock fan-out.
 */
function pick(a: string | undefined, b: string | undefined, better: (x: number, y: number) => boolean) {
  const [ta, tb] = [time(a), time(b)];
  if (Number.isNaN(ta)) return Number.isNaN(tb) ? undefined : b;
  if (Number.isNaN(tb)) return a;
  return better(tb, ta) ? b : a;
}

/** The task that failed first is most likely the cause; ties and missing times fall back to ARN order. */
function failedFirst(a: TaskState | undefined, b: TaskState | undefined): TaskState | undefined {
  if (!a || !b) return a ?? b;
  const key = (t: TaskState) => {
    const ms = time(t.stoppedAt);
    return Number.isNaN(ms) ? Number.POSITIVE_INFINITY : ms;
  };
  const d = key(a) - key(b);
  if (d !== 0) return d < 0 ? a : b;
  return b.taskArn < a.taskArn ? b : a;
}

/** The region of an ECS ARN (arn:aws:ecs:REGION:ACCOUNT:task/…). */
export const regionOfArn = (arn: string): string | undefined => arn.split(":")[3] || undefined;

/** The summary of both groups of tasks (`a`'s first): associative, and `EMPTY_SUMMARY` is its unit. */
export function combineSummaries(a: TaskSummary, b: TaskSummary): TaskSummary {
  const earliestStart = pick(a.earliestStart, b.earliestStart, (x, y) => x < y);
  const latestStop = pick(a.latestStop, b.latestStop, (x, y) => x > y);
  const firstFailed = failedFirst(a.firstFailed, b.firstFailed);
  const region = a.tasks > 0 ? a.region : b.region;
  const usage = addUsage(a.usage, b.usage);
  return {
    tasks: a.tasks + b.tasks,
    stopped: a.stopped + b.stopped,
    started: a.started || b.started,
    ...(earliestStart !== undefined && { earliestStart }),
    ...(latestStop !== undefined && { latestStop }),
    failed: a.failed + b.failed,
    ...(firstFailed && { firstFailed }),
    ...(region !== undefined && { region }),
    ...(usage && { usage }),
  };
}

/** One task's summary; the usage priced in the run's region (its first task's). */
function summaryOf(task: TaskState, region: string | undefined): TaskSummary {
  const failed = !taskSucceeded(task);
  const usage = usageOf(task, region);
  const taskRegion = regionOfArn(task.taskArn);
  return {
    tasks: 1,
    stopped: task.lastStatus === "STOPPED" ? 1 : 0,
    started: task.started === true,
    ...(task.startedAt !== undefined && { earliestStart: task.startedAt }),
    ...(task.stoppedAt !== undefined && { latestStop: task.stoppedAt }),
    failed: failed ? 1 : 0,
    ...(failed && { firstFailed: task }),
    ...(taskRegion !== undefined && { region: taskRegion }),
    ...(usage && { usage }),
  };
}

export function summarizeTasks(tasks: readonly TaskState[]): TaskSummary {
  const region = tasks[0] && regionOfArn(tasks[0].taskArn);
  return tasks.reduce((sum, t) => combineSummaries(sum, summaryOf(t, region)), EMPTY_SUMMARY);
}
