/**
 * Which deployment an `--aws` command talks to: the run table and the schedule group, and where their names
 * came from, so that an error can say what was looked for and how to point elsewhere.
 *
 * - `--stack NAME` or `--stage STAGE` (stack `ecs-jobs-STAGE`): the names the stack's outputs give
 *   (CloudFormation DescribeStacks), which also follow a renamed schedule group.
 * - otherwise the environment: ECS_JOBS_TABLE and ECS_JOBS_SCHEDULE_GROUP, else the names a deploy of stage
 *   ECS_JOBS_STAGE (default dev) creates.
 * Region: --region, else AWS_REGION / AWS_DEFAULT_REGION, else us-east-1.
 */

import { DEFAULT_STAGE, deploymentNames, STACK_OUTPUTS } from "../aws/deployment.ts";
import { DEFAULT_CONFIG } from "../config.ts";
import { CliExit, type CliIo, EXIT_FAILED } from "./context.ts";

export interface AwsTargetFlags {
  stage?: string;
  stack?: string;
  region?: string;
}

export interface AwsTarget {
  tableName: string;
  scheduleGroup: string;
  region: string;
  /** Where the names came from, for error messages: "stack ecs-jobs-prod (--stage prod)". */
  source: string;
}

/** A stack's outputs by key; undefined when the stack does not exist. */
export type StackOutputs = (stackName: string, region: string) => Promise<Record<string, string> | undefined>;

/** How to point the CLI elsewhere, appended to errors about a missing table or group. */
export const POINTING_HINT =
  "pass --stage STAGE or --stack NAME (the deployed stack), or set ECS_JOBS_STAGE, ECS_JOBS_TABLE and ECS_JOBS_SCHEDULE_GROUP";

export async function resolveAwsTarget(
  io: CliIo,
  flags: AwsTargetFlags,
  stackOutputs: StackOutputs = describeStackOutputs,
): Promise<AwsTarget> {
  const env = io.env;
  const region = flags.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? DEFAULT_CONFIG.region;
  if (flags.stack !== undefined || flags.stage !== undefined) {
    const stackName = flags.stack ?? deploymentNames(flags.stage as string).stackName;
    const from = flags.stack !== undefined ? `--stack ${flags.stack}` : `--stage ${flags.stage}`;
    const outputs = await stackOutputs(stackName, region);
    if (!outputs)
      throw new CliExit(
        EXIT_FAILED,
        `stack ${stackName} (from ${from}) not found in region ${region}: deploy it, or pass the region it is in with --region`,
      );
    const tableName = outputs[STACK_OUTPUTS.tableName];
    const scheduleGroup = outputs[STACK_OUTPUTS.scheduleGroup];
    if (!tableName || !scheduleGroup)
      throw new CliExit(
        EXIT_FAILED,
        `stack ${stackName} in ${region} has no output ${tableName ? STACK_OUTPUTS.scheduleGroup : STACK_OUTPUTS.tableName}: is it an ecs-jobs stack?`,
      );
    return { tableName, scheduleGroup, region, source: `stack ${stackName} in ${region} (${from})` };
  }
  const stage = env.ECS_JOBS_STAGE ?? DEFAULT_STAGE;
  const names = deploymentNames(stage);
  const stageFrom = env.ECS_JOBS_STAGE
    ? `ECS_JOBS_STAGE=${stage}`
    : `stage ${stage}: ECS_JOBS_STAGE is unset`;
  return {
    tableName: env.ECS_JOBS_TABLE ?? names.tableName,
    scheduleGroup: env.ECS_JOBS_SCHEDULE_GROUP ?? names.scheduleGroup,
    region,
    source: `region ${region}, ${stageFrom}${env.ECS_JOBS_TABLE ? ", ECS_JOBS_TABLE" : ""}${env.ECS_JOBS_SCHEDULE_GROUP ? ", ECS_JOBS_SCHEDULE_GROUP" : ""}`,
  };
}

const cjsExports = <T extends object>(namespace: T): T => (namespace as { default?: T }).default ?? namespace;

/** DescribeStacks; loaded only with --stage/--stack. A missing stack is CloudFormation's ValidationError. */
export const describeStackOutputs: StackOutputs = async (stackName, region) => {
  const { CloudFormationClient, CloudFormationServiceException, DescribeStacksCommand } = cjsExports(
    await import("@aws-sdk/client-cloudformation"),
  );
  const client = new CloudFormationClient({ region });
  try {
    const out = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    const stack = out.Stacks?.[0];
    if (!stack) return undefined;
    return Object.fromEntries(
      (stack.Outputs ?? []).flatMap((o) =>
        o.OutputKey && o.OutputValue ? [[o.OutputKey, o.OutputValue]] : [],
      ),
    );
  } catch (error) {
    if (
      error instanceof CloudFormationServiceException &&
      error.name === "ValidationError" &&
      /does not exist/.test(error.message)
    )
      return undefined;
    throw error;
  } finally {
    client.destroy();
  }
};
