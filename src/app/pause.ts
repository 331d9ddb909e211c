/**
 * policy.pauseAfterFailures: after N failed runs in a row the job's schedule is disabled and a PAUSED alert
 * is sent; resumeJob enables it again. Failures before the schedule's last modification (a resume, a
 * deploy that changed it) do not count, so a resumed job gets N fresh chances.
 */
import { type AlertDeps, deliverAlert } from "../alerts/deliver.ts";
import type { Catalog } from "../catalog/catalog.ts";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import type { Job } from "../jobspec/schema.ts";
import { failureStreak, isFailure, loadJobRuns } from "../ledger/history.ts";
import type { RunLedger } from "../ledger/ledger.ts";
import type { Log } from "../log.ts";
import type { Run } from "../runs/model.ts";
import {
  getSchedule,
  listSchedules,
  type SchedulerPort,
  scheduleNameFor,
  setScheduleState,
} from "../scheduler/schedules.ts";

/** What pausing after failures calls: the job's run history and claims, its schedule, the alert. */
export type PauseOnFailureDeps = AlertDeps & SchedulerPort & { ledger: RunLedger };

/** What pausing or resuming on request calls: the catalog for the job, its schedule (written at `now`), the log. */
export type ScheduleControlDeps = PausedJobsDeps & { log: Log; now: () => Date };

/** What listing the paused jobs reads: the schedule group, and the catalogue for the jobs in it. */
export type PausedJobsDeps = SchedulerPort & { catalog: Catalog };

/** The claim that makes "pause the schedule and say so" happen once per run. */
export const PAUSE_CLAIM = "PAUSE";

/**
 * After a failed run: pauses the job's schedule if this run completes N failures in a row.
 * Resolves to true when this call paused it (and alerted).
 */
export async function pauseIfFailing(deps: PauseOnFailureDeps, job: Job, run: Run): Promise<boolean> {
  const n = job.spec.policy.pauseAfterFailures;
  if (n <= 0 || !job.spec.schedule || !isFailure(run)) return false;
  // Read until the streak is long enough or broken by a success.
  const enough = (runs: readonly Run[]) =>
    failureStreak(runs) >= n || runs.some((r) => r.status === "SUCCEEDED");
  const runs = await loadJobRuns(deps.ledger, job.name, { max: n * 12 + 100, current: run, enough });
  if (failureStreak(runs) < n) return false;
  if (!(await deps.ledger.claimAlert(run.runId, PAUSE_CLAIM))) return false;
  try {
    const schedule = await getSchedule(deps, job.name);
    if (!schedule) {
      deps.log.warn("no schedule to pause", { job: job.name, group: deps.config.scheduleGroup });
      return false;
    }
    if (schedule.State === "ENABLED") {
      if (failureStreak(runs, schedule.LastModificationDate) < n) return false;
      await setScheduleState(deps, schedule, "DISABLED");
      deps.log.warn("schedule paused after failed runs", { job: job.name, failures: n });
    } else {
      // Disabled already: by an earlier delivery of this run's event (alert still owed), or before it ended.
      const modified = schedule.LastModificationDate?.getTime() ?? 0;
      if (modified < Date.parse(run.stoppedAt ?? run.createdAt)) return false;
    }
    await deliverAlert(deps, {
      kind: "PAUSED",
      job,
      run,
      summary: `${job.name} was paused after ${n} failed run(s) in a row; resume it with "ecs-jobs resume ${job.name}" once fixed.`,
    });
    return true;
  } catch (error) {
    await deps.ledger.releaseAlert(run.runId, PAUSE_CLAIM);
    throw error;
  }
}

/**
 * Disables a job's schedule on purpose (`ecs-jobs pause`, POST /jobs/{name}/pause). Idempotent: `changed` is
 * false when it was paused already, or is DISABLED by its spec (it does not fire either way).
 */
export async function pauseJob(
  deps: ScheduleControlDeps,
  jobOrName: Job | string,
): Promise<{ job: string; state: "PAUSED" | "DISABLED"; changed: boolean }> {
  const name = typeof jobOrName === "string" ? jobOrName : jobOrName.name;
  const job = deps.catalog.get(name);
  if (!job) throw new NotFoundError(`job ${name}`);
  if (!job.spec.schedule)
    throw new ValidationError(`job ${name} has no schedule to pause`, { field: "name" });
  if (!job.spec.schedule.enabled) return { job: name, state: "DISABLED", changed: false };
  const schedule = await getSchedule(deps, name);
  if (!schedule)
    throw new NotFoundError(`schedule ${scheduleNameFor(name)} in group ${deps.config.scheduleGroup}`);
  if (schedule.State === "DISABLED") return { job: name, state: "PAUSED", changed: false };
  await setScheduleState(deps, schedule, "DISABLED");
  deps.log.info("schedule paused on request", { job: name });
  return { job: name, state: "PAUSED", changed: true };
}

/**
 * The jobs whose schedule is DISABLED in the stack's group while their spec enables it: PAUSED (by
 * pauseAfterFailures or `pause`). One ListSchedules walk for all jobs rather than a GetSchedule each.
 */
export async function pausedJobs(deps: PausedJobsDeps): Promise<Set<string>> {
  const out = new Set<string>();
  for (const s of await listSchedules(deps, "DISABLED")) {
    const job = s.Name === undefined ? undefined : deps.catalog.get(s.Name);
    if (job?.spec.schedule?.enabled && scheduleNameFor(job.name) === s.Name) out.add(job.name);
  }
  return out;
}

/** Enables a job's schedule again. `changed` is false when it was enabled already. */
export async function resumeJob(
  deps: ScheduleControlDeps,
  jobOrName: Job | string,
): Promise<{ job: string; state: "ENABLED"; changed: boolean }> {
  const name = typeof jobOrName === "string" ? jobOrName : jobOrName.name;
  const job = deps.catalog.get(name);
  if (!job) throw new NotFoundError(`job ${name}`);
  if (!job.spec.schedule)
    throw new ValidationError(`job ${name} has no schedule to resume`, { field: "name" });
  if (!job.spec.schedule.enabled)
    throw new ConflictError(`job ${name} is disabled in its spec (schedule.enabled: false); enable it there`);
  const schedule = await getSchedule(deps, name);
  if (!schedule)
    throw new NotFoundError(`schedule ${scheduleNameFor(name)} in group ${deps.config.scheduleGroup}`);
  if (schedule.State === "ENABLED") return { job: name, state: "ENABLED", changed: false };
  await setScheduleState(deps, schedule, "ENABLED");
  deps.log.info("schedule resumed", { job: name });
  return { job: name, state: "ENABLED", changed: true };
}
