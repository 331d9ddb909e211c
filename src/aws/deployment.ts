/**
 * How a deployment names what the CLI and the handlers look for: the one place deploy/ (which creates the
 * names) and the CLI's `--aws` mode (which finds them) agree on. osls names the stack SERVICE-STAGE; the
 * plugin names the run table and the schedule group after it (custom.ecsJobs.scheduleGroup may rename the
 * group, which the stack's outputs then say).
 */

export const DEFAULT_SERVICE = "ecs-jobs";
export const DEFAULT_STAGE = "dev";

/** The stack outputs that name what the CLI needs (deploy/stack.ts writes them). */
export const STACK_OUTPUTS = {
  tableName: "EcsJobsRunsTableName",
  scheduleGroup: "EcsJobsScheduleGroupName",
} as const;

export interface DeploymentNames {
  stackName: string;
  tableName: string;
  scheduleGroup: string;
}

export function deploymentNames(stage: string, service: string = DEFAULT_SERVICE): DeploymentNames {
  const base = `${service}-${stage}`;
  return { stackName: base, tableName: `${base}-runs`, scheduleGroup: base };
}
