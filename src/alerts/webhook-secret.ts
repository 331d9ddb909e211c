/**
 * The webhook signing secret, read at delivery time from SSM Parameter Store (a SecureString by name or ARN)
 * or Secrets Manager (a secret ARN) — never from the spec, never logged. Read once per process (a Lambda
 * container) and kept; a failed read is not kept, so the next delivery tries again.
 *
 * Through one signed call each (src/aws/json-api.ts), not the services' SDK clients, which would add ~260 KB
 * to every handler bundle.
 */
import { AwsJsonApiError, callJsonApi } from "../aws/json-api.ts";
import { EcsJobsError } from "../errors.ts";

export class WebhookSecretError extends EcsJobsError {
  constructor(parameter: string, reason: string, cause?: unknown) {
    super("WebhookSecretUnreadable", `cannot read the webhook secret ${parameter}: ${reason}`, { cause });
  }
}

const isSecretsManagerArn = (p: string): boolean => /^arn:aws[a-z-]*:secretsmanager:/.test(p);

/** Which service holds the secret: a Secrets Manager ARN, otherwise an SSM parameter name or ARN. */
export const secretStoreOf = (parameter: string): "secretsmanager" | "ssm" =>
  isSecretsManagerArn(parameter) ? "secretsmanager" : "ssm";

async function fromSsm(region: string, name: string): Promise<string> {
  try {
    const out = (await callJsonApi({
      service: "ssm",
      region,
      target: "AmazonSSM.GetParameter",
      body: { Name: name, WithDecryption: true },
    })) as { Parameter?: { Value?: string } };
    const value = out.Parameter?.Value;
    if (!value) throw new WebhookSecretError(name, "the parameter has no value");
    return value;
  } catch (error) {
    if (error instanceof WebhookSecretError) throw error;
    if (error instanceof AwsJsonApiError && error.name === "ParameterNotFound")
      throw new WebhookSecretError(name, "no such SSM parameter", error);
    throw new WebhookSecretError(name, (error as Error).name || "SSM GetParameter failed", error);
  }
}

async function fromSecretsManager(region: string, arn: string): Promise<string> {
  try {
    const out = (await callJsonApi({
      service: "secretsmanager",
      region,
      target: "secretsmanager.GetSecretValue",
      body: { SecretId: arn },
    })) as { SecretString?: string };
    if (!out.SecretString) throw new WebhookSecretError(arn, "the secret has no string value");
    return out.SecretString;
  } catch (error) {
    if (error instanceof WebhookSecretError) throw error;
    if (error instanceof AwsJsonApiError && error.name === "ResourceNotFoundException")
      throw new WebhookSecretError(arn, "no such secret in Secrets Manager", error);
    throw new WebhookSecretError(arn, (error as Error).name || "GetSecretValue failed", error);
  }
}

/** The default reader: the region of the deployment, the function's own credentials. */
export function awsSecretReader(region: string): (parameter: string) => Promise<string> {
  return (parameter) =>
    secretStoreOf(parameter) === "secretsmanager"
      ? fromSecretsManager(region, parameter)
      : fromSsm(region, parameter);
}

/** Wraps a reader so each secret is read once per process; a failure is forgotten. */
export function cachedSecrets(read: (parameter: string) => Promise<string>) {
  const cache = new Map<string, Promise<string>>();
  return (parameter: string): Promise<string> => {
    let hit = cache.get(parameter);
    if (!hit) {
      hit = read(parameter);
      cache.set(parameter, hit);
      hit.catch(() => cache.delete(parameter));
    }
    return hit;
  };
}
