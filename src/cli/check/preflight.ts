/**
 * The preflight of `ecs-jobs check --aws` (SPEC section 6): before a job first fires, does what it names
 * exist in the account — its cluster, task definition (and the containers its overrides name), subnets and
 * security groups (in one VPC), roles, the awslogs log groups, its images where they are in ECR, and its
 * alert webhook's secret. Each problem as `job: path: message`, the path being the spec field to fix.
 *
 * A question the account would not answer (no permission, an outage) is a problem too: the preflight could
 * not show the job will start. Lookups are shared between jobs (one DescribeClusters per cluster).
 */
import type { Job } from "../../jobspec/schema.ts";
import { checkWebhookUrl } from "../../jobspec/webhook-url.ts";
import type { Account, EcrImageRef, Lookup, TaskDefinitionFacts } from "./account.ts";

export interface Problem {
  job: string;
  path: string;
  message: string;
}

export const formatProblem = (p: Problem): string => `${p.job}: ${p.path}: ${p.message}`;

const ECR_IMAGE =
  /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^:@]+)(?::([^@]+))?(?:@(sha256:[a-f0-9]{64}))?$/;

/** The ECR coordinates of an image reference, or undefined for an image elsewhere (Docker Hub, ghcr …). */
export function ecrImageOf(image: string): EcrImageRef | undefined {
  const m = ECR_IMAGE.exec(image);
  if (!m) return undefined;
  const [, registryId, region, repository, tag, digest] = m as unknown as [
    string,
    string,
    string,
    string,
    string?,
    string?,
  ];
  return { registryId, region, repository, ...(digest ? { digest } : { tag: tag ?? "latest" }) };
}

/** Each distinct question asked once per check. */
function memo<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  const cache = new Map<string, Promise<R>>();
  return (...args) => {
    const key = JSON.stringify(args);
    let hit = cache.get(key);
    if (!hit) {
      hit = fn(...args);
      cache.set(key, hit);
    }
    return hit;
  };
}

export function memoAccount(a: Account): Account {
  return {
    cluster: memo(a.cluster.bind(a)),
    taskDefinition: memo(a.taskDefinition.bind(a)),
    subnet: memo(a.subnet.bind(a)),
    securityGroup: memo(a.securityGroup.bind(a)),
    role: memo(a.role.bind(a)),
    logGroup: memo(a.logGroup.bind(a)),
    ecrImage: memo(a.ecrImage.bind(a)),
    ssmParameter: memo(a.ssmParameter.bind(a)),
    secret: memo(a.secret.bind(a)),
  };
}

const roleName = (arn: string) => arn.slice(arn.lastIndexOf("/") + 1);

export async function checkJob(account: Account, job: Job, region: string): Promise<Problem[]> {
  const problems: Problem[] = [];
  const add = (path: string, message: string) => problems.push({ job: job.name, path, message });
  /** True when found; otherwise records the problem. */
  const expect = <T>(path: string, what: string, r: Lookup<T>): r is { found: true; value: T } => {
    if (r.found) return true;
    add(path, "missing" in r ? `${what} not found` : `${what} could not be checked: ${r.unknown}`);
    return false;
  };
  const t = job.spec.task;
  const [cluster, td] = await Promise.all([
    account.cluster(t.cluster),
    account.taskDefinition(t.taskDefinition),
  ]);
  if (
    expect("task.cluster", `cluster ${t.cluster}`, cluster) &&
    cluster.value.status &&
    cluster.value.status !== "ACTIVE"
  )
    add("task.cluster", `cluster ${t.cluster} is ${cluster.value.status}`);

  if (expect("task.taskDefinition", `task definition ${t.taskDefinition}`, td))
    await checkTaskDefinition(account, job, td.value, region, add);

  const subnets = t.network?.subnets ?? [];
  const groups = t.network?.securityGroups ?? [];
  const vpcs = new Set<string>();
  const subnetLookups = await Promise.all(subnets.map((s) => account.subnet(s)));
  subnetLookups.forEach((r, i) => {
    if (expect(`task.network.subnets[${i}]`, `subnet ${subnets[i]}`, r) && r.value.vpcId)
      vpcs.add(r.value.vpcId);
  });
  const groupLookups = await Promise.all(groups.map((g) => account.securityGroup(g)));
  groupLookups.forEach((r, i) => {
    if (!expect(`task.network.securityGroups[${i}]`, `security group ${groups[i]}`, r)) return;
    const vpc = r.value.vpcId;
    if (vpc && vpcs.size > 0 && !vpcs.has(vpc))
      add(
        `task.network.securityGroups[${i}]`,
        `security group ${groups[i]} is in ${vpc}, the subnets in ${[...vpcs].join(", ")}`,
      );
  });

  for (const field of ["taskRoleArn", "executionRoleArn"] as const) {
    const arn = t.overrides?.[field];
    if (arn) expect(`task.overrides.${field}`, `role ${roleName(arn)}`, await account.role(arn));
  }

  const hook = job.spec.alerts.webhook;
  if (hook) {
    const url = checkWebhookUrl(hook.url);
    if (url.ok && url.loopbackHttp)
      add("alerts.webhook.url", "plain http is posted in local mode only; AWS needs https");
    const p = hook.secretParameter;
    if (p) {
      const found = p.includes(":secretsmanager:") ? await account.secret(p) : await account.ssmParameter(p);
      expect(
        "alerts.webhook.secretParameter",
        p.includes(":secretsmanager:") ? `secret ${p}` : `SSM parameter ${p}`,
        found,
      );
    }
  }
  return problems;
}

async function checkTaskDefinition(
  account: Account,
  job: Job,
  td: TaskDefinitionFacts,
  region: string,
  add: (path: string, message: string) => void,
): Promise<void> {
  const t = job.spec.task;
  const name = td.arn.slice(td.arn.lastIndexOf("/") + 1);
  if (td.status && td.status !== "ACTIVE")
    add("task.taskDefinition", `task definition ${name} is ${td.status}`);
  const fargate =
    t.launchType === "FARGATE" ||
    (t.capacityProviderStrategy ?? []).some((c) => c.capacityProvider.startsWith("FARGATE"));
  if (fargate && td.networkMode !== "awsvpc")
    add(
      "task.taskDefinition",
      `${name} uses network mode ${td.networkMode ?? "bridge"}; Fargate needs awsvpc`,
    );

  const names = td.containers.map((c) => c.name);
  (t.overrides?.containers ?? []).forEach((c, i) => {
    if (!names.includes(c.name))
      add(
        `task.overrides.containers[${i}].name`,
        `container ${c.name} is not in ${name} (it has ${names.join(", ")})`,
      );
  });

  for (const field of ["taskRoleArn", "executionRoleArn"] as const) {
    const arn = td[field];
    if (arn && !t.overrides?.[field]) {
      const r = await account.role(arn);
      if (!r.found)
        add(
          "task.taskDefinition",
          "missing" in r
            ? `${name}'s ${field} ${roleName(arn)} not found`
            : `${name}'s ${field} ${roleName(arn)} could not be checked: ${r.unknown}`,
        );
    }
  }

  for (const c of td.containers) {
    if (c.logDriver === "awslogs" && c.logOptions?.["awslogs-group"]) {
      const group = c.logOptions["awslogs-group"];
      const r = await account.logGroup(group, c.logOptions["awslogs-region"] ?? region);
      if (!r.found && "missing" in r && c.logOptions["awslogs-create-group"] !== "true")
        add(
          "task.taskDefinition",
          `log group ${group} of container ${c.name} does not exist (and awslogs-create-group is not true)`,
        );
      else if (!r.found && "unknown" in r)
        add(
          "task.taskDefinition",
          `log group ${group} of container ${c.name} could not be checked: ${r.unknown}`,
        );
    }
    const ecr = c.image ? ecrImageOf(c.image) : undefined;
    if (ecr) {
      const r = await account.ecrImage(ecr);
      if (!r.found)
        add(
          "task.taskDefinition",
          "missing" in r
            ? `image ${c.image} of container ${c.name} not found in ECR${r.why ? ` (${r.why})` : ""}`
            : `image ${c.image} of container ${c.name} could not be checked: ${r.unknown}`,
        );
    }
  }
}

export async function preflight(account: Account, jobs: readonly Job[], region: string): Promise<Problem[]> {
  const shared = memoAccount(account);
  const perJob = await Promise.all(jobs.map((j) => checkJob(shared, j, region)));
  return perJob.flat();
}
