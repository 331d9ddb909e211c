/**
 * The preflight's questions (account.ts) asked of AWS with the operator's own credentials. The SDK clients
 * are imported when `check` runs, never by other commands. SDK errors stop here: "not found" errors (by
 * class, or by code for EC2, which models none) become `missing`; anything else becomes `unknown`, named.
 */
import type { Account, EcrImageRef, Lookup } from "./account.ts";

export interface AwsAccountOptions {
  region: string;
  /** AWS_ENDPOINT_URL: one endpoint for every service (moto in tests, LocalStack). */
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/** The exports of a CommonJS SDK package, whether imported by Node (named) or from the CLI bundle (default). */
const cjs = <T extends object>(namespace: T): T => (namespace as { default?: T }).default ?? namespace;

const found = <T>(value: T): Lookup<T> => ({ found: true, value });
const missing = { found: false, missing: true } as const;
const unknown = (error: unknown): { found: false; unknown: string } => {
  const e = error as { name?: string; message?: string };
  return { found: false, unknown: `${e.name ?? "Error"}${e.message ? `: ${e.message}` : ""}` };
};

export function awsAccount(options: AwsAccountOptions): Account {
  const config = (region = options.region) => ({
    region,
    ...(options.endpoint && { endpoint: options.endpoint }),
    ...(options.credentials && { credentials: options.credentials }),
  });
  const load = {
    ecs: async () => cjs(await import("@aws-sdk/client-ecs")),
    ec2: async () => cjs(await import("@aws-sdk/client-ec2")),
    iam: async () => cjs(await import("@aws-sdk/client-iam")),
    logs: async () => cjs(await import("@aws-sdk/client-cloudwatch-logs")),
    ecr: async () => cjs(await import("@aws-sdk/client-ecr")),
    ssm: async () => cjs(await import("@aws-sdk/client-ssm")),
    sm: async () => cjs(await import("@aws-sdk/client-secrets-manager")),
  };

  return {
    async cluster(name) {
      const { ECSClient, DescribeClustersCommand } = await load.ecs();
      try {
        const out = await new ECSClient(config()).send(new DescribeClustersCommand({ clusters: [name] }));
        const c = out.clusters?.[0];
        return c ? found({ ...(c.status && { status: c.status }) }) : missing;
      } catch (error) {
        return unknown(error);
      }
    },

    async taskDefinition(ref) {
      const { ECSClient, DescribeTaskDefinitionCommand, ClientException } = await load.ecs();
      try {
        const out = await new ECSClient(config()).send(
          new DescribeTaskDefinitionCommand({ taskDefinition: ref }),
        );
        const td = out.taskDefinition;
        if (!td?.taskDefinitionArn) return missing;
        return found({
          arn: td.taskDefinitionArn,
          ...(td.status && { status: td.status }),
          ...(td.networkMode && { networkMode: td.networkMode }),
          compatibilities: td.requiresCompatibilities ?? [],
          ...(td.taskRoleArn && { taskRoleArn: td.taskRoleArn }),
          ...(td.executionRoleArn && { executionRoleArn: td.executionRoleArn }),
          containers: (td.containerDefinitions ?? []).map((c) => ({
            name: c.name ?? "",
            ...(c.image && { image: c.image }),
            ...(c.logConfiguration?.logDriver && { logDriver: c.logConfiguration.logDriver }),
            ...(c.logConfiguration?.options && { logOptions: c.logConfiguration.options }),
          })),
        });
      } catch (error) {
        // ECS answers an unknown task definition with ClientException "Unable to describe task definition."
        return error instanceof ClientException ? missing : unknown(error);
      }
    },

    async subnet(id) {
      const { EC2Client, DescribeSubnetsCommand, EC2ServiceException } = await load.ec2();
      try {
        const out = await new EC2Client(config()).send(new DescribeSubnetsCommand({ SubnetIds: [id] }));
        const s = out.Subnets?.[0];
        return s ? found({ ...(s.VpcId && { vpcId: s.VpcId }) }) : missing;
      } catch (error) {
        const notFound =
          error instanceof EC2ServiceException && /^InvalidSubnetID\.(NotFound|Malformed)$/.test(error.name);
        return notFound ? missing : unknown(error);
      }
    },

    async securityGroup(id) {
      const { EC2Client, DescribeSecurityGroupsCommand, EC2ServiceException } = await load.ec2();
      try {
        const out = await new EC2Client(config()).send(new DescribeSecurityGroupsCommand({ GroupIds: [id] }));
        const g = out.SecurityGroups?.[0];
        return g ? found({ ...(g.VpcId && { vpcId: g.VpcId }) }) : missing;
      } catch (error) {
        const notFound =
          error instanceof EC2ServiceException &&
          /^InvalidGroup(Id)?\.(NotFound|Malformed)$/.test(error.name);
        return notFound ? missing : unknown(error);
      }
    },

    async role(arn) {
      const { IAMClient, GetRoleCommand, NoSuchEntityException } = await load.iam();
      try {
        await new IAMClient(config()).send(
          new GetRoleCommand({ RoleName: arn.slice(arn.lastIndexOf("/") + 1) }),
        );
        return found(true as const);
      } catch (error) {
        return error instanceof NoSuchEntityException ? missing : unknown(error);
      }
    },

    async logGroup(name, region) {
      const { CloudWatchLogsClient, DescribeLogGroupsCommand } = await load.logs();
      try {
        const out = await new CloudWatchLogsClient(config(region)).send(
          new DescribeLogGroupsCommand({ logGroupNamePrefix: name, limit: 50 }),
        );
        return (out.logGroups ?? []).some((g) => g.logGroupName === name) ? found(true as const) : missing;
      } catch (error) {
        return unknown(error);
      }
    },

    async ecrImage(ref: EcrImageRef) {
      const { ECRClient, DescribeImagesCommand, ImageNotFoundException, RepositoryNotFoundException } =
        await load.ecr();
      try {
        const out = await new ECRClient(config(ref.region)).send(
          new DescribeImagesCommand({
            registryId: ref.registryId,
            repositoryName: ref.repository,
            imageIds: [ref.digest ? { imageDigest: ref.digest } : { imageTag: ref.tag ?? "latest" }],
          }),
        );
        return (out.imageDetails ?? []).length > 0
          ? found(true as const)
          : { ...missing, why: "no such image" };
      } catch (error) {
        if (error instanceof RepositoryNotFoundException)
          return { ...missing, why: `no repository ${ref.repository}` };
        if (error instanceof ImageNotFoundException)
          return { ...missing, why: `no image ${ref.digest ?? `tagged ${ref.tag}`}` };
        return unknown(error);
      }
    },

    async ssmParameter(name) {
      const { SSMClient, GetParameterCommand, ParameterNotFound } = await load.ssm();
      try {
        // Without decryption: only whether it exists matters here, and the value is dropped unread.
        await new SSMClient(config()).send(new GetParameterCommand({ Name: name, WithDecryption: false }));
        return found(true as const);
      } catch (error) {
        return error instanceof ParameterNotFound ? missing : unknown(error);
      }
    },

    async secret(arn) {
      const { SecretsManagerClient, DescribeSecretCommand, ResourceNotFoundException } = await load.sm();
      try {
        await new SecretsManagerClient(config()).send(new DescribeSecretCommand({ SecretId: arn }));
        return found(true as const);
      } catch (error) {
        return error instanceof ResourceNotFoundException ? missing : unknown(error);
      }
    },
  };
}
