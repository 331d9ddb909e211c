/**
 * Which job's `local` section an emulated task follows. Tasks this system started say so in `startedBy`
 * (RunTask: job and run; StartTask: only the run, whose job the ledger knows); a task started by hand (the
 * AWS CLI against the emulator) is matched by its task definition family.
 */
import { execEnvironmentOf, type Job, parseStartedBy } from "../src/host/domain.ts";
import type { Catalog } from "../src/host/wiring.ts";
import type { BehaviourResolver, LocalBehaviour, LocalOutcome } from "./ecs/index.ts";
import { parseTaskDefinition } from "./job-task-definitions.ts";

/** What a task does when no job claims it. */
export const UNCLAIMED_BEHAVIOUR: LocalBehaviour = { outcome: "succeed", durationSeconds: 1 };

const behaviourOf = (job: Job): LocalBehaviour => ({
  // The spec schema only lets LOCAL_OUTCOME strings through.
  outcome: job.spec.local.outcome as LocalOutcome,
  durationSeconds: job.spec.local.durationSeconds,
  exec: job.spec.local.exec,
  ...(job.spec.local.exec && { execEnvironment: execEnvironmentOf(job.spec) }),
});

export function createBehaviourResolver(options: {
  catalog: Catalog;
  /** The job of a run, for StartTask's short startedBy. */
  jobOfRun: (runId: string) => Promise<string | undefined>;
}): BehaviourResolver {
  const byFamily = (family: string): Job | undefined =>
    options.catalog.jobs.find((j) => parseTaskDefinition(j.spec.task.taskDefinition)?.family === family);

  return async (ctx) => {
    const started = parseStartedBy(ctx.startedBy);
    let name = started?.job;
    if (!name && started) name = await options.jobOfRun(started.runId).catch(() => undefined);
    const job = (name && options.catalog.get(name)) || byFamily(ctx.taskDefinition.family);
    return job ? behaviourOf(job) : UNCLAIMED_BEHAVIOUR;
  };
}
