/**
 * `serverless deploy function -f NAME`: osls uploads one function's zip (UpdateFunctionCode) and then
 * updates its configuration (UpdateFunctionConfiguration) through the Lambda API, outside CloudFormation.
 * Two things of ours do not survive that path unless the plugin steps in before the upload:
 *   - the role: each function's role is a resource the plugin adds to the template (`role: EcsJobsXRole`),
 *     but osls looks such a name up in serverless.yml `resources:` only, and crashed there with a
 *     TypeError after the code was already uploaded. The function keeps the role the stack gave it
 *     (deploy function cannot change IAM), so osls is handed the deployed role's ARN, which it then skips;
 *   - the launcher roles' ARN prefix (ECS_JOBS_LAUNCHER_ROLE_ARN_PREFIX), which only the template sets.
 *     osls sends no environment at all while serverless.yml's has CloudFormation references (ours does),
 *     so the deployed value stays; it is passed on in case that ever changes. If the zip's catalogue names
 *     launcher roles but the deployed function has no prefix, jobs/ changed since the last `serverless
 *     deploy` (the stack has no such roles yet): nothing is uploaded, the user is told to deploy the stack.
 */
import { EcsJobsError } from "../src/errors.ts";
import { LAUNCHER_ROLE_ARN_PREFIX_ENV } from "../src/launch/launcher-credentials.ts";

/** `deploy function` cannot update this function correctly; the message says what to run instead. */
export class DeployFunctionError extends EcsJobsError {
  constructor(message: string) {
    super("DeployFunction", message);
  }
}

/** The part of Lambda's GetFunction Configuration read here (osls keeps it as `remoteFunctionData`). */
export interface DeployedConfiguration {
  Role?: string;
  Environment?: { Variables?: Record<string, string> };
}

export interface FunctionUpdate {
  /** The role ARN to hand osls as the function's `role`: the deployed one. */
  role: string;
  /** Variables to add to the function's `environment`. */
  environment: Record<string, string>;
}

/**
 * What osls must be given to update function `key` without undoing the stack's settings; throws a
 * DeployFunctionError when it must not update it at all. `launchers`: how many launcher roles the packaged
 * catalogue sends this function's launches through.
 */
export function functionUpdate(
  key: string,
  deployed: DeployedConfiguration | undefined,
  launchers: number,
): FunctionUpdate {
  const redeploy = `Nothing was uploaded; run \`serverless deploy\` (the whole stack) instead of \`serverless deploy function -f ${key}\`.`;
  if (!deployed?.Role)
    throw new DeployFunctionError(
      `deploy function ${key}: Lambda did not return the deployed function's role. ${redeploy}`,
    );
  const prefix = deployed.Environment?.Variables?.[LAUNCHER_ROLE_ARN_PREFIX_ENV];
  if (launchers === 0) return { role: deployed.Role, environment: {} };
  if (!prefix)
    throw new DeployFunctionError(
      `deploy function ${key}: the jobs now launch through ${launchers} launcher role(s) that the deployed stack does not have (the function has no ${LAUNCHER_ROLE_ARN_PREFIX_ENV}): jobs/ changed since the last full deploy. ${redeploy}`,
    );
  return { role: deployed.Role, environment: { [LAUNCHER_ROLE_ARN_PREFIX_ENV]: prefix } };
}
