/**
 * The ECS client a job's RunTask / StartTask goes through. Usually the function's own: its role holds the
 * launch grants. In a deployment whose launch grants outgrew the function roles (deploy/launchers.ts), the
 * catalogue names a launcher role per job and action, and the launch goes through an ECS client whose
 * credentials come from STS AssumeRole of that role:
 * - one client per launcher role per container, built on the first launch that needs it;
 * - its credentials are kept by the SDK and renewed 5 minutes before they expire (the SDK memoizes a credential
 *   provider that returns `expiration`), so a warm container pays no STS call;
 * - the STS client is imported on that first launch only, so deployments without launchers never load it.
 * An STS refusal (AccessDenied, a missing role) is an AWS client error like ECS's own: the launch path records
 * it on the run (src/aws/ecs-call.ts classifies it), with the message STS gave, which names the role.
 */
import type { ECSClient } from "@aws-sdk/client-ecs";
import type { STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity } from "@smithy/types";
import type { AwsClients } from "../aws/clients.ts";
import { EcsJobsError } from "../errors.ts";
import type { LaunchAction, LauncherRoles } from "../jobspec/launcher-roles.ts";

/** Set by the deployment on launching functions when there are launcher roles: `arn:PARTITION:iam::ACCOUNT:role/`. */
export const LAUNCHER_ROLE_ARN_PREFIX_ENV = "ECS_JOBS_LAUNCHER_ROLE_ARN_PREFIX";

export type EcsSender = Pick<ECSClient, "send">;

export interface Launchers {
  /** The client of this job's launch with this action; undefined: the function's own client. */
  clientFor(job: string, action: LaunchAction): EcsSender | undefined;
}

export type CredentialProvider = () => Promise<AwsCredentialIdentity>;

export interface LaunchersOptions {
  roles: LauncherRoles;
  /** `arn:PARTITION:iam::ACCOUNT:role/`: the catalogue holds role names. */
  roleArnPrefix: string;
  /** Who assumed the role, in CloudTrail: the function name. */
  sessionName: string;
  /** One launcher role's ECS client (the handler's constructor and retry policy) over these credentials. */
  ecsClient: (credentials: CredentialProvider) => ECSClient;
  /** The STS client's settings; endpoint and credentials only where tests point it elsewhere. */
  sts: {
    region: string;
    endpoint?: string;
    credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
    maxAttempts?: number;
  };
}

export class LauncherCredentialsError extends EcsJobsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("LauncherCredentials", message, options);
  }
}

/** The function's name as an STS role session name (2..64 of `[\w+=,.@-]`), for CloudTrail. */
export const sessionNameOf = (name: string): string =>
  name
    .replace(/[^\w+=,.@-]/g, "-")
    .padEnd(2, "-")
    .slice(0, 64);

export function createLaunchers(options: LaunchersOptions): Launchers {
  const clients = new Map<string, ECSClient>();
  let sts: STSClient | undefined;
  const credentialsOf =
    (roleArn: string): CredentialProvider =>
    async () => {
      // Loaded by the first launch through a launcher role, not at cold start (the module cache keeps it).
      const { STSClient, AssumeRoleCommand } = await import("@aws-sdk/client-sts");
      const { endpoint, credentials, region, maxAttempts } = options.sts;
      sts ??= new STSClient({
        region,
        ...(endpoint && { endpoint }),
        ...(credentials && { credentials }),
        ...(maxAttempts && { maxAttempts }),
      });
      const { Credentials: c } = await sts.send(
        new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: options.sessionName }),
      );
      if (!c?.AccessKeyId || !c.SecretAccessKey) {
        throw new LauncherCredentialsError(`STS AssumeRole of ${roleArn} answered without credentials`);
      }
      return {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        ...(c.SessionToken && { sessionToken: c.SessionToken }),
        ...(c.Expiration && { expiration: c.Expiration }),
      };
    };
  return {
    clientFor(job, action) {
      const role = options.roles[job]?.[action];
      if (!role) return undefined;
      let client = clients.get(role);
      if (!client) {
        client = options.ecsClient(credentialsOf(`${options.roleArnPrefix}${role}`));
        clients.set(role, client);
      }
      return client;
    },
  };
}

/** The client a job's launch goes through: its launcher role's, or the function's own. */
export const launchClient = (
  deps: { clients: Pick<AwsClients, "ecs">; launchers?: Launchers },
  job: string,
  action: LaunchAction,
): EcsSender => deps.launchers?.clientFor(job, action) ?? deps.clients.ecs;

/**
 * Launchers for a Lambda container, from the catalogue and the function's environment; undefined when the
 * catalogue names no launcher role. A catalogue that names some without the ARN prefix is a broken deployment.
 */
export function launchersFromEnv(
  roles: LauncherRoles | undefined,
  env: Record<string, string | undefined>,
  settings: Omit<LaunchersOptions, "roles" | "roleArnPrefix" | "sessionName">,
): Launchers | undefined {
  if (!roles || Object.keys(roles).length === 0) return undefined;
  const roleArnPrefix = env[LAUNCHER_ROLE_ARN_PREFIX_ENV];
  if (!roleArnPrefix) {
    throw new LauncherCredentialsError(
      `the job catalogue names launcher roles but ${LAUNCHER_ROLE_ARN_PREFIX_ENV} is not set on this function; deploy the package the catalogue came from`,
    );
  }
  return createLaunchers({
    ...settings,
    roles,
    roleArnPrefix,
    sessionName: sessionNameOf(env.AWS_LAMBDA_FUNCTION_NAME ?? "ecs-jobs-launch"),
  });
}
