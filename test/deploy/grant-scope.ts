/**
 * Exactly which (task definition family, cluster) pairs a role's RunTask/StartTask statements can authorize,
 * read from the statements alone and proven finite: every resource must be a task definition ARN whose family
 * has no wildcard, every `*` in region must be pinned by `aws:RequestedRegion`, every statement needs a literal
 * `ecs:cluster`. Anything this cannot prove (a wildcard family, a prefix, an unpinned region) is a problem,
 * not a guess. Independent of deploy/.
 */
import { ACCOUNT, type FlatStatement, iamMatch, REGION } from "./template-iam.ts";

export interface LaunchScope {
  /** `arn:aws:ecs:REGION:ACCOUNT:task-definition/FAMILY CLUSTER_ARN`, one per pair the statements allow. */
  pairs: Set<string>;
  problems: string[];
}

const TASK_DEFINITION = /^arn:([^:]+):ecs:([^:]+):([^:]+):task-definition\/([^:]+):([^:]+)$/;

export function launchScope(statements: readonly FlatStatement[], action: string): LaunchScope {
  const pairs = new Set<string>();
  const problems: string[] = [];
  for (const s of statements.filter(
    (x) => x.Effect === "Allow" && x.Action.some((a) => iamMatch(a, action)),
  )) {
    const clusters = s.Condition.ArnEquals?.["ecs:cluster"] ?? [];
    if (clusters.length === 0) problems.push(`${s.source}: ${action} without an ecs:cluster condition`);
    for (const c of clusters) if (/[*?]/.test(c)) problems.push(`${s.source}: wildcard cluster ${c}`);
    const regions = s.Condition.StringEquals?.["aws:RequestedRegion"];
    for (const resource of s.Resource) {
      const m = TASK_DEFINITION.exec(resource);
      if (!m) {
        problems.push(`${s.source}: ${resource} is not one task definition`);
        continue;
      }
      const [, partition, region, account, family, revision] = m as unknown as string[];
      if (partition !== "*" && /[*?]/.test(partition ?? ""))
        problems.push(`${s.source}: ${resource} partition`);
      // A role acts in its own partition only; `*` there is no wider than "aws".
      if (region === "*") {
        if (regions?.length !== 1 || regions[0] !== REGION)
          problems.push(`${s.source}: ${resource} leaves the region open without aws:RequestedRegion`);
      } else if (region !== REGION) problems.push(`${s.source}: ${resource} is in another region`);
      // ECS has no resource-based policies: an account `*` still reaches the caller's own account only.
      if (account !== "*" && /[*?]/.test(account ?? "")) problems.push(`${s.source}: ${resource} account`);
      if (!/^[A-Za-z0-9_-]+$/.test(family ?? "")) problems.push(`${s.source}: ${resource} wildcard family`);
      if (!/^(\d+|\*)$/.test(revision ?? "")) problems.push(`${s.source}: ${resource} revision`);
      const owner = account === "*" ? ACCOUNT : account;
      for (const cluster of clusters)
        pairs.add(`arn:aws:ecs:${REGION}:${owner}:task-definition/${family} ${cluster}`);
    }
  }
  return { pairs, problems };
}
