import { createHash } from "node:crypto";
import type { Trigger } from "./model.ts";

/**
 * What makes two deliveries "the same trigger". Most triggers are recognised by their id (Scheduler
 * execution id, API request id, instance ARN). A fire time of a schedule is recognised by the time itself,
 * whoever records it: the scheduled run, or the sweeper's MISSED record when no run came — so a delivery
 * that arrives after its fire time was judged missed finds the MISSED run and launches nothing. A rerun of
 * a fire time (catch-up after a miss, backfill) is one identity whichever of the two asks for it, so a
 * catch-up and a backfill of the same fire time, or a backfill repeated, launch it once.
 */
function identity(trigger: Pick<Trigger, "kind" | "id" | "scheduledTime">): string {
  const fire = trigger.scheduledTime ? Date.parse(trigger.scheduledTime) : Number.NaN;
  if (Number.isFinite(fire)) {
    const at = new Date(fire).toISOString();
    if (trigger.kind === "schedule") return `schedule\nfire:${at}`;
    if (trigger.kind === "catchUp" || trigger.kind === "backfill") return `rerun\nfire:${at}`;
  }
  return `${trigger.kind}\n${trigger.id}`;
}

/**
 * One run = one id, derived from the trigger rather than drawn at random: a retried Lambda invocation of the
 * same trigger (same scheduler execution id, same API request id) computes the same run id, hence the same
 * clientTokens, so ECS launches nothing twice. Sortable by time; 25 characters, so that `ecs-jobs/<runId>`
 * fits StartTask's 36-character startedBy.
 */
export function runIdFor(
  job: string,
  trigger: Pick<Trigger, "kind" | "id" | "scheduledTime">,
  at: Date,
  attempt = 1,
): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  const hash = createHash("sha256")
    .update(`${job}\n${identity(trigger)}\n${attempt}`)
    .digest("hex");
  return `${stamp}-${hash.slice(0, 8)}`;
}

export const RUN_ID_PATTERN = /^\d{8}T\d{6}Z-[0-9a-f]{8}$/;
