/**
 * The account and region the local stack pretends to be. The emulator only accepts ARNs of its own account
 * and region, so when the jobs name ECS resources by ARN (a task definition or cluster ARN) and all of them
 * agree, the stack takes their account and region; otherwise an obviously fake account.
 */
import type { Job } from "../src/host/domain.ts";

const LOCAL_ACCOUNT = "000000000000";
const LOCAL_REGION = "eu-west-1";

const ECS_ARN = /^arn:aws[a-z-]*:ecs:([a-z0-9-]+):(\d{12}):/;

export function identityOf(
  jobs: readonly Job[],
  fallback: { region?: string | undefined } = {},
): { region: string; accountId: string; conflicts: string[] } {
  const seen = new Map<string, string[]>();
  for (const job of jobs) {
    for (const ref of [job.spec.task.taskDefinition, job.spec.task.cluster]) {
      const m = ECS_ARN.exec(ref);
      if (!m) continue;
      const key = `${m[1]}:${m[2]}`;
      seen.set(key, [...(seen.get(key) ?? []), job.name]);
    }
  }
  const keys = [...seen.keys()];
  if (keys.length === 1) {
    const [region, accountId] = (keys[0] as string).split(":") as [string, string];
    return { region, accountId, conflicts: [] };
  }
  const conflicts =
    keys.length > 1 ? keys.map((k) => `${k.replace(":", " account ")} (${seen.get(k)?.join(", ")})`) : [];
  return { region: fallback.region ?? LOCAL_REGION, accountId: LOCAL_ACCOUNT, conflicts };
}
