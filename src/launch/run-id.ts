import { createHash } from "node:crypto";
import type { Trigger } from "../runs/model.ts";

/**
 * One run = one id, derived from the trigger rather than drawn at random: a retried Lambda invocation of the
 * same trigger (same scheduler execution id, same API request id) computes the same run id, hence the same
 * clientTokens, so ECS launches nothing twice. Sortable by time; 25 characters, so that `ecs-jobs/<runId>`
 * fits StartTask's 36-character startedBy.
 */
export function runIdFor(job: string, trigger: Pick<Trigger, "kind" | "id">, at: Date, attempt = 1): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  const hash = createHash("sha256")
    .update(`${job}\n${trigger.kind}\n${trigger.id}\n${attempt}`)
    .digest("hex");
  return `${stamp}-${hash.slice(0, 8)}`;
}

export const RUN_ID_PATTERN = /^\d{8}T\d{6}Z-[0-9a-f]{8}$/;
