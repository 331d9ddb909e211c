/**
 * What an emulated task does: the job spec's `local` section (SPEC section 5), chosen per task by a
 * resolver the emulator's owner supplies.
 */
import type { CapacityProviderStrategyItem, TaskDefinition, TaskOverride } from "@aws-sdk/client-ecs";

export type LocalOutcome =
  | "succeed"
  | `exit:${number}`
  | `failToStart:${string}`
  | "oom"
  | "spotInterruption";

export interface LocalBehaviour {
  outcome: LocalOutcome;
  /** Time spent RUNNING before the outcome happens (ignored by failToStart). */
  durationSeconds: number;
  /** Run the containers' commands as local processes; their exit codes count. */
  exec?: boolean;
  /**
   * exec only: the environment overrides a process may get (src/jobspec/exec-environment.ts): the job's own
   * variables (name and value) and the names its allowlist lets callers set. Absent = none at all.
   */
  execEnvironment?: { fixed: [string, string][]; overridable: string[] };
}

export interface BehaviourContext {
  /** Cluster ARN. */
  cluster: string;
  /** The registered task definition, as DescribeTaskDefinition returns it. */
  taskDefinition: TaskDefinition & { family: string; taskDefinitionArn: string };
  overrides: TaskOverride | undefined;
  startedBy: string | undefined;
  /** The request's launchType (StartTask: EC2). */
  launchType: string | undefined;
  capacityProviderStrategy: readonly CapacityProviderStrategyItem[] | undefined;
  /** The capacity provider the task was given, when a strategy chose one. */
  capacityProviderName: string | undefined;
  group: string | undefined;
  taskArn: string;
}

export type BehaviourResolver = (ctx: BehaviourContext) => LocalBehaviour | Promise<LocalBehaviour>;

export const DEFAULT_BEHAVIOUR: LocalBehaviour = { outcome: "succeed", durationSeconds: 1 };

export type ParsedOutcome =
  | { kind: "succeed" }
  | { kind: "exit"; code: number }
  | { kind: "failToStart"; reason: string }
  | { kind: "oom" }
  | { kind: "spotInterruption" };

/** A behaviour the resolver handed over that the emulator cannot play; the message names the field. */
export class BehaviourError extends Error {
  override readonly name = "BehaviourError";
}

/** Reads an outcome string; a bad one is the resolver's bug, named with the offending value. */
export function parseOutcome(outcome: string): ParsedOutcome {
  if (outcome === "succeed" || outcome === "oom" || outcome === "spotInterruption") return { kind: outcome };
  const exit = /^exit:(\d{1,3})$/.exec(outcome);
  if (exit) {
    const code = Number(exit[1]);
    if (code <= 255) return { kind: "exit", code };
  }
  const fail = /^failToStart:(.+)$/s.exec(outcome);
  if (fail) return { kind: "failToStart", reason: (fail[1] as string).trim() };
  throw new BehaviourError(
    `local.outcome: expected succeed | exit:N (0..255) | failToStart:REASON | oom | spotInterruption, got ${JSON.stringify(outcome)}`,
  );
}

export function checkBehaviour(b: LocalBehaviour): { behaviour: LocalBehaviour; outcome: ParsedOutcome } {
  const outcome = parseOutcome(b.outcome);
  if (typeof b.durationSeconds !== "number" || !Number.isFinite(b.durationSeconds) || b.durationSeconds < 0)
    throw new BehaviourError(
      `local.durationSeconds: expected a number ≥ 0, got ${JSON.stringify(b.durationSeconds)}`,
    );
  return { behaviour: b, outcome };
}
