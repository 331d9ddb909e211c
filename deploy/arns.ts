/**
 * ARNs of what the jobs name, as CloudFormation `Fn::Sub` templates: a job says `cluster: reports` or
 * `taskDefinition: report:7`, the stack grants on `arn:${AWS::Partition}:ecs:${AWS::Region}:…`. Values given
 * as full ARNs are kept as they are.
 */

/** A string that may hold `${AWS::Partition}`, `${AWS::Region}` and `${AWS::AccountId}`. */
export type ArnTemplate = string;

export interface ArnContext {
  partition: string;
  region: string;
  accountId: string;
}

/**
 * The longest values the pseudo parameters can take ("aws-us-gov"; region names are at most 14 characters
 * today, 16 leaves room), used to size policies and patterns before the account and region are known.
 */
export const WORST_CASE_CONTEXT: ArnContext = {
  partition: "aws-us-gov",
  region: "xx-xxxxxxxxxxx-9",
  accountId: "000000000000",
};

// biome-ignore-start lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub placeholders, not JS templates
const P = "${AWS::Partition}";
const R = "${AWS::Region}";
const A = "${AWS::AccountId}";
// biome-ignore-end lint/suspicious/noTemplateCurlyInString: see above

export const arnIn = (service: string, resource: string, scope: { region?: boolean } = {}): ArnTemplate =>
  `arn:${P}:${service}:${scope.region === false ? "" : R}:${A}:${resource}`;

export const isArn = (value: string): boolean => value.startsWith("arn:");

/** A template as a CloudFormation value: `Fn::Sub` only when it has something to substitute. */
export const cfn = (t: ArnTemplate): string | { "Fn::Sub": string } =>
  t.includes("${") ? { "Fn::Sub": t } : t;

export function resolveArn(t: ArnTemplate, ctx: ArnContext): string {
  return t.replaceAll(P, ctx.partition).replaceAll(R, ctx.region).replaceAll(A, ctx.accountId);
}

/** The partition a region belongs to (the deploy step knows the region, not the partition). */
export function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  if (region.startsWith("us-isob-")) return "aws-iso-b";
  if (region.startsWith("us-iso-")) return "aws-iso";
  if (region.startsWith("eusc-")) return "aws-eusc";
  return "aws";
}

export const clusterArn = (cluster: string): ArnTemplate =>
  isArn(cluster) ? cluster : arnIn("ecs", `cluster/${cluster}`);

/** `arn:…:cluster/NAME` → `arn:…:task/NAME/*`: the tasks of one cluster (StopTask, TagResource). */
export function clusterTasksArn(cluster: string): ArnTemplate {
  const arn = clusterArn(cluster);
  const at = arn.lastIndexOf(":cluster/");
  return `${arn.slice(0, at)}:task/${arn.slice(at + ":cluster/".length)}/*`;
}

/** `arn:…:cluster/NAME` → `arn:…:container-instance/NAME/*`: the container instances of one cluster. */
export function clusterInstancesArn(cluster: string): ArnTemplate {
  const arn = clusterArn(cluster);
  const at = arn.lastIndexOf(":cluster/");
  return `${arn.slice(0, at)}:container-instance/${arn.slice(at + ":cluster/".length)}/*`;
}

export interface TaskDefinitionRef {
  /** What RunTask is authorized against: an exact revision, or `family:*` when the job names no revision. */
  arn: ArnTemplate;
  family: string;
  revision?: string;
}

/**
 * `family` | `family:revision` | ARN. A family alone runs its latest ACTIVE revision, which ECS resolves before
 * authorizing, so the grant has to cover every revision of that family.
 */
export function taskDefinitionRef(taskDefinition: string): TaskDefinitionRef {
  let prefix: string;
  let rest: string;
  if (isArn(taskDefinition)) {
    const at = taskDefinition.indexOf(":task-definition/");
    prefix = taskDefinition.slice(0, at + ":task-definition/".length);
    rest = taskDefinition.slice(prefix.length);
  } else {
    prefix = arnIn("ecs", "task-definition/");
    rest = taskDefinition;
  }
  const [family = rest, revision] = rest.split(":");
  return revision
    ? { arn: `${prefix}${family}:${revision}`, family, revision }
    : { arn: `${prefix}${family}:*`, family };
}

/**
 * A task definition grant built from a name, with partition, region and account left as `*`: 35 characters
 * fewer per family at the worst-case sizes ("aws-us-gov", a 16-character region, 12 digits), which is what lets
 * 1,000 families fit a role's default quotas. Nothing wider is granted:
 * - partition: a role lives in one partition and its credentials work only there (each account is scoped to
 *   one partition, IAM "reference-arns");
 * - region: the statement pins it with `aws:RequestedRegion` (a global key, in every request context);
 * - account: ECS has no resource-based policies, so no principal launches another account's task definition,
 *   and the statement's `ecs:cluster` is a full ARN of the stack's account.
 * ARNs a job gives in full are kept as they are.
 */
export function shortTaskDefinitionGrant(t: ArnTemplate): ArnTemplate {
  const own = arnIn("ecs", "task-definition/");
  return t.startsWith(own) ? `arn:*:ecs:*:*:task-definition/${t.slice(own.length)}` : t;
}

/** The condition that pins a grant built by shortTaskDefinitionGrant() to the stack's region. */
export const IN_STACK_REGION = { "aws:RequestedRegion": R } as const;

/** The same task definition, any revision. */
export const anyRevision = (ref: TaskDefinitionRef): ArnTemplate => ref.arn.replace(/:[^:/]+$/, ":*");

/** ECS takes role ARNs; a bare name is read as a role of the deploying account. */
export const roleArn = (role: string): ArnTemplate =>
  isArn(role) ? role : arnIn("iam", `role/${role}`, { region: false });
