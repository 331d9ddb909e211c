/**
 * A task's way through ECS's lifecycle, PROVISIONING → PENDING → RUNNING → STOPPED, from what the run
 * recorded of its events. The ledger keeps when the image pull began (the start of PENDING in ECS's own
 * terms, and where Fargate starts billing), when the task started and when it stopped; the task's own
 * creation is not kept, so PROVISIONING is counted from the run's creation (the launch request). A phase
 * the task never reached is absent: PENDING → STOPPED means it failed to start.
 */
import type { Run, TaskState } from "../../src/host/domain.ts";
import { spanOf } from "./time.ts";

export type Phase = "PROVISIONING" | "PENDING" | "RUNNING" | "STOPPED";

export interface PhaseSpan {
  phase: Phase;
  /** ISO instant the phase began. */
  from: string;
  /** ISO instant it ended; absent while it lasts (and for STOPPED, which is the end). */
  to?: string;
}

/** The phases of `task` in order, each from the instant it began to the instant the next one did. */
export function taskPhases(run: Run, task: TaskState): PhaseSpan[] {
  const marks: { phase: Phase; at: string | undefined }[] = [
    { phase: "PROVISIONING", at: run.createdAt },
    { phase: "PENDING", at: task.billing?.pullStartedAt },
    { phase: "RUNNING", at: task.started ? task.startedAt : undefined },
    { phase: "STOPPED", at: task.lastStatus === "STOPPED" ? (task.stoppedAt ?? undefined) : undefined },
  ];
  const known = marks.filter((m): m is { phase: Phase; at: string } => m.at !== undefined);
  return known.map((m, i) => {
    const next = known[i + 1];
    return { phase: m.phase, from: m.at, ...(next && { to: next.at }) };
  });
}

/** A phase's length in ms, up to `now` while it lasts; STOPPED has none. */
export function phaseMs(span: PhaseSpan, now: Date): number | undefined {
  if (span.phase === "STOPPED") return undefined;
  return spanOf(span.from, span.to ?? now.toISOString());
}
