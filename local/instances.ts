/**
 * Container instances for `ecs-jobs dev`: EC2 jobs need instances to be placed on, and onInstanceLaunch jobs
 * run when one joins. A cluster that EC2 or onInstanceLaunch jobs use and that has no active instance gets two,
 * in two availability zones, of an instance type their memberOf constraints accept where one is named; their
 * joining emits "ECS Container Instance State Change" like a real agent registering.
 */
import type { Job } from "../src/host/domain.ts";
import type { ContainerInstanceAttrs } from "./ecs/index.ts";

export interface InstancePlan {
  cluster: string;
  instances: ContainerInstanceAttrs[];
}

const INSTANCE_TYPE = /attribute:ecs\.instance-type\s*(==|=~)\s*([A-Za-z0-9.*-]+)/;

const needsInstances = (job: Job): boolean =>
  job.spec.onInstanceLaunch ||
  job.spec.task.launchType === "EC2" ||
  (!job.spec.task.launchType && !job.spec.task.capacityProviderStrategy && Boolean(job.spec.task.placement));

function instanceTypeFor(jobs: Job[]): string {
  for (const job of jobs) {
    for (const c of job.spec.task.placement?.constraints ?? []) {
      const m = INSTANCE_TYPE.exec(c.expression ?? "");
      if (m?.[2]) return m[1] === "==" ? m[2] : m[2].replace(/\*/g, "large");
    }
  }
  return "m6i.large";
}

export function planInstances(jobs: readonly Job[], region: string): InstancePlan[] {
  const byCluster = new Map<string, Job[]>();
  for (const job of jobs.filter(needsInstances)) {
    const list = byCluster.get(job.spec.task.cluster) ?? [];
    list.push(job);
    byCluster.set(job.spec.task.cluster, list);
  }
  return [...byCluster].map(([cluster, list]) => {
    const instanceType = instanceTypeFor(list);
    return {
      cluster,
      instances: ["a", "b"].map((az) => ({
        instanceType,
        availabilityZone: `${region}${az}`,
        cpu: 2048,
        memory: 15_575,
      })),
    };
  });
}
