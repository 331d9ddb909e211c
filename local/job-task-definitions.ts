/**
 * Task definitions the jobs name, registered in the emulator at start (SPEC section 5), so that a fresh clone
 * runs its jobs without registering anything. Each is a plausible definition: the containers the job
 * overrides (or one `app`), all essential, logging with awslogs so failure alerts can link their log stream,
 * and the job's command (which `local.exec` runs). A job naming `family:7` gets revisions 1 to 7 (identical),
 * as an account that went through seven revisions would have them.
 */
import type { ContainerDefinition, RegisterTaskDefinitionRequest } from "@aws-sdk/client-ecs";
import type { Job } from "../src/host/domain.ts";

export interface TaskDefinitionPlan {
  family: string;
  /** The highest revision a job names (1 when only the family is named). */
  revision: number;
  request: RegisterTaskDefinitionRequest;
  jobs: string[];
}

const REF = /^(?:arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition\/)?([a-zA-Z0-9_-]{1,255})(?::(\d+))?$/;
/** Revisions are registered one by one; a job naming revision 100000 should not stall the start. */
const MAX_LOCAL_REVISION = 1_000;

export function parseTaskDefinition(ref: string): { family: string; revision?: number } | undefined {
  const m = REF.exec(ref);
  if (!m?.[1]) return undefined;
  return m[2] === undefined ? { family: m[1] } : { family: m[1], revision: Number(m[2]) };
}

/** Where a family's containers log: awslogs with the layout ECS's console proposes. */
const logGroupOf = (family: string): string => `/ecs/${family}`;
export const LOG_STREAM_PREFIX = "ecs";

const usesFargate = (job: Job): boolean =>
  job.spec.task.launchType === "FARGATE" ||
  (job.spec.task.capacityProviderStrategy ?? []).some((c) => c.capacityProvider.startsWith("FARGATE"));

export function planTaskDefinitions(
  jobs: readonly Job[],
  ctx: { region: string; accountId: string },
): { plans: TaskDefinitionPlan[]; skipped: { job: string; reason: string }[] } {
  interface Family {
    revision: number;
    jobs: Job[];
    containers: Map<string, string[] | undefined>;
  }
  const byFamily = new Map<string, Family>();
  const skipped: { job: string; reason: string }[] = [];
  for (const job of jobs) {
    const ref = parseTaskDefinition(job.spec.task.taskDefinition);
    if (!ref) {
      skipped.push({ job: job.name, reason: `cannot read task definition ${job.spec.task.taskDefinition}` });
      continue;
    }
    if ((ref.revision ?? 1) > MAX_LOCAL_REVISION) {
      skipped.push({ job: job.name, reason: `revision ${ref.revision} is above ${MAX_LOCAL_REVISION}` });
      continue;
    }
    const entry: Family = byFamily.get(ref.family) ?? { revision: 1, jobs: [], containers: new Map() };
    entry.revision = Math.max(entry.revision, ref.revision ?? 1);
    entry.jobs.push(job);
    for (const c of job.spec.task.overrides?.containers ?? [])
      if (!entry.containers.get(c.name)) entry.containers.set(c.name, c.command);
    byFamily.set(ref.family, entry);
  }
  const plans = [...byFamily].map(([family, e]): TaskDefinitionPlan => {
    const names = e.containers.size > 0 ? [...e.containers.keys()] : ["app"];
    const containerDefinitions: ContainerDefinition[] = names.map((name) => {
      const command = e.containers.get(name);
      return {
        name,
        image: `${ctx.accountId}.dkr.ecr.${ctx.region}.amazonaws.com/${family}:latest`,
        essential: true,
        memoryReservation: 256,
        ...(command && { command }),
        logConfiguration: {
          logDriver: "awslogs",
          options: {
            "awslogs-group": logGroupOf(family),
            "awslogs-region": ctx.region,
            "awslogs-stream-prefix": LOG_STREAM_PREFIX,
          },
        },
      };
    });
    const awsvpc = e.jobs.some((j) => j.spec.task.network) || e.jobs.some(usesFargate);
    return {
      family,
      revision: e.revision,
      jobs: e.jobs.map((j) => j.name),
      request: {
        family,
        containerDefinitions,
        networkMode: awsvpc ? "awsvpc" : "bridge",
        requiresCompatibilities: e.jobs.some(usesFargate) ? ["FARGATE"] : ["EC2"],
        cpu: "512",
        memory: "1024",
        // awslogs on Fargate needs an execution role (ECS refuses the definition without one): the role the
        // ECS console creates for that.
        executionRoleArn: `arn:aws:iam::${ctx.accountId}:role/ecsTaskExecutionRole`,
        tags: [{ key: "ecs-jobs:local", value: "registered by ecs-jobs dev" }],
      },
    };
  });
  return { plans, skipped };
}

/** The emulator operations registration needs (its in-process controls). */
export interface TaskDefinitionRegistry {
  registerTaskDefinition(input: RegisterTaskDefinitionRequest): { taskDefinitionArn?: string | undefined };
  /** Revisions already registered per family (after a restart the state file has them). */
  registeredRevisions(family: string): number;
}

/** Registers what is missing; returns the families it registered revisions of. */
export function registerTaskDefinitions(
  registry: TaskDefinitionRegistry,
  plans: TaskDefinitionPlan[],
): string[] {
  const touched: string[] = [];
  for (const plan of plans) {
    let have = registry.registeredRevisions(plan.family);
    if (have >= plan.revision) continue;
    touched.push(plan.family);
    for (; have < plan.revision; have++) registry.registerTaskDefinition(plan.request);
  }
  return touched;
}
