/**
 * The options of every command that can talk to AWS (`run`, `runs`, `resume`): --aws and the flags that say
 * which deployment, with the environment variables they stand for in --help. Loads no SDK.
 */
import type { Command } from "commander";
import { MissingResourceError, NotFoundError } from "../../errors.ts";
import type { AwsTarget, AwsTargetFlags } from "../aws-target.ts";
import { CliExit, EXIT_FAILED } from "../context.ts";
import { DATA_DIR_HELP } from "./lazy-deps.ts";

export interface AwsOptions {
  aws?: boolean;
  /** Where the local stack keeps its data (its stack.json), when not --aws. */
  dataDir?: string;
  stage?: string;
  stack?: string;
  region?: string;
}

export const AWS_ENV_HELP = `
AWS mode (--aws, or any of --stage, --stack, --region):
  --stage STAGE / --stack NAME   read the run table and schedule group from the deployed stack's outputs
                                 (stack ecs-jobs-STAGE, or NAME; CloudFormation DescribeStacks)
  otherwise the environment:
  ECS_JOBS_STAGE                 the stage deployed (default dev): table ecs-jobs-STAGE-runs, group ecs-jobs-STAGE
  ECS_JOBS_TABLE                 the run table, overriding the stage's
  ECS_JOBS_SCHEDULE_GROUP        the schedule group, overriding the stage's
  AWS_REGION, AWS_PROFILE, ...   region and credentials, as for the AWS CLI (--region overrides the region)
`;

export function addAwsOptions(command: Command, what: string): Command {
  return command
    .option("--aws", `${what} in AWS instead of the local stack`)
    .option("--stage <stage>", "the deployed stage (stack ecs-jobs-STAGE); implies --aws")
    .option("--stack <name>", "the deployed stack, by name; implies --aws")
    .option("--region <region>", "the AWS region (default: AWS_REGION); implies --aws")
    .option("--data-dir <dir>", DATA_DIR_HELP)
    .addHelpText("after", AWS_ENV_HELP);
}

/** The MakeDeps options of the AWS flags, or of --data-dir for the local stack. */
export function awsDepsOptions(opts: AwsOptions): { aws?: true; target?: AwsTargetFlags; dataDir?: string } {
  const target: AwsTargetFlags = {
    ...(opts.stage !== undefined && { stage: opts.stage }),
    ...(opts.stack !== undefined && { stack: opts.stack }),
    ...(opts.region !== undefined && { region: opts.region }),
  };
  const aws = opts.aws || Object.keys(target).length > 0;
  if (aws) return { aws: true, target };
  return opts.dataDir !== undefined ? { dataDir: opts.dataDir } : {};
}

/**
 * A missing table or schedule in AWS says where it was looked for and how to point elsewhere, instead of a
 * bare "not found" (or DynamoDB's ResourceNotFoundException, which names nothing).
 */
export async function explainingTarget<T>(target: AwsTarget | undefined, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (target && (error instanceof MissingResourceError || error instanceof NotFoundError)) {
      const { POINTING_HINT } = await import("../aws-target.ts");
      throw new CliExit(
        EXIT_FAILED,
        `error: ${error.message} (looked in ${target.source}); ${POINTING_HINT}`,
      );
    }
    throw error;
  }
}
