/**
 * Where the jobs' rate schedules count from in AWS, so that `next --aws`, `list --aws`, GET /jobs and
 * GET /jobs/{name} show the times EventBridge Scheduler fires: a rate schedule without StartDate fires at
 * its creation or last modification + k × rate (Scheduler: it "starts immediately"), which only Scheduler
 * knows (CreationDate, LastModificationDate). Counting from the request time instead, as the views did, gave
 * a different time on every request.
 *
 * Only rate schedules are asked about (cron and at() do not depend on it), and the StartDate only where the
 * spec has one (the deployment drops a past one, see DeployedSchedule): ListSchedules, which every function
 * may call, gives the dates of all; GetSchedule gives the StartDate.
 */
import type { Job } from "../jobspec/schema.ts";
import type { DeployedSchedule } from "../schedule/deployed.ts";
import { type SchedulerPort, scheduleNameFor } from "./schedules.ts";

type SchedulerDeps = SchedulerPort;

/** Jobs whose next fire times depend on when their schedule was made: enabled rate schedules. */
const isRate = (job: Job): boolean => /^\s*rate\(/.test(job.spec.schedule?.expression ?? "");

const isNotFound = (e: unknown) => (e as { name?: string } | null)?.name === "ResourceNotFoundException";

/** Scheduler's answer, as DeployedSchedule; undefined without a date (never in AWS). */
function deployedOf(s: {
  CreationDate?: Date | undefined;
  LastModificationDate?: Date | undefined;
  StartDate?: Date | undefined;
}): DeployedSchedule | undefined {
  const modifiedAt = s.LastModificationDate ?? s.CreationDate;
  if (!modifiedAt) return undefined;
  return { modifiedAt, ...(s.StartDate && { startDate: s.StartDate }) };
}

/** One job's schedule as deployed (GetSchedule); undefined when it is not a rate job or not deployed. */
export async function deployedSchedule(deps: SchedulerDeps, job: Job): Promise<DeployedSchedule | undefined> {
  if (!isRate(job)) return undefined;
  // Loaded on first use: a run-end client, kept out of the handlers' cold start (handlers/lambda-clients.ts).
  const { GetScheduleCommand } = await import("../aws/sdk/client-scheduler.ts");
  try {
    const s = await deps.clients.scheduler.send(
      new GetScheduleCommand({ Name: scheduleNameFor(job.name), GroupName: deps.config.scheduleGroup }),
    );
    return deployedOf(s);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/**
 * The deployed schedules of these jobs' rate schedules, by job name: one ListSchedules walk of the stack's
 * group, and a GetSchedule for each whose spec has a startDate (for one job, its GetSchedule only). No call
 * when no job has a rate schedule.
 */
export async function deployedSchedules(
  deps: SchedulerDeps,
  jobs: readonly Job[],
): Promise<Map<string, DeployedSchedule>> {
  const out = new Map<string, DeployedSchedule>();
  const rate = new Map(jobs.filter(isRate).map((j) => [scheduleNameFor(j.name), j]));
  if (rate.size === 0) return out;
  const [only] = rate.values();
  if (rate.size === 1 && only) {
    const deployed = await deployedSchedule(deps, only);
    if (deployed) out.set(only.name, deployed);
    return out;
  }
  const { ListSchedulesCommand } = await import("../aws/sdk/client-scheduler.ts");
  let NextToken: string | undefined;
  do {
    const page = await deps.clients.scheduler.send(
      new ListSchedulesCommand({
        GroupName: deps.config.scheduleGroup,
        MaxResults: 100,
        ...(NextToken && { NextToken }),
      }),
    );
    for (const s of page.Schedules ?? []) {
      const job = s.Name === undefined ? undefined : rate.get(s.Name);
      const deployed = job && deployedOf(s);
      if (job && deployed) out.set(job.name, deployed);
    }
    NextToken = page.NextToken;
  } while (NextToken);
  const withStart = [...rate.values()].filter((j) => j.spec.schedule?.startDate && out.has(j.name));
  await Promise.all(
    withStart.map(async (j) => {
      const deployed = await deployedSchedule(deps, j);
      if (deployed) out.set(j.name, deployed);
      else out.delete(j.name);
    }),
  );
  return out;
}
