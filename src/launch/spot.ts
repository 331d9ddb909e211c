/**
 * policy.spotFallback: tasks that FARGATE_SPOT could not place for lack of capacity are launched again on
 * on-demand FARGATE. ECS reports this as a RunTask failure (or, from some callers, an error) whose reason
 * reads "Capacity is unavailable at this time. Please try again later or in a different availability zone"
 * (https://repost.aws/knowledge-center/ecs-fargate-runtask-capacity).
 */
import type { RunTaskCommandInput } from "@aws-sdk/client-ecs";
import type { RunFailure } from "../runs/model.ts";

export const CAPACITY_UNAVAILABLE = /capacity is unavailable at this time/i;

export const isCapacityFailure = (f: RunFailure): boolean =>
  CAPACITY_UNAVAILABLE.test(f.reason) || CAPACITY_UNAVAILABLE.test(f.detail ?? "");

export const usesFargateSpot = (input: RunTaskCommandInput): boolean =>
  input.capacityProviderStrategy?.some((c) => c.capacityProvider === "FARGATE_SPOT") === true;

/** The same call for `count` tasks on FARGATE, with its own clientToken (`<token>-f0`) so ECS treats it as new. */
export function fallbackRequest(input: RunTaskCommandInput, count: number): RunTaskCommandInput {
  const { capacityProviderStrategy: _spot, launchType: _launchType, ...rest } = input;
  return {
    ...rest,
    count,
    capacityProviderStrategy: [{ capacityProvider: "FARGATE", weight: 1 }],
    clientToken: `${input.clientToken}-f0`,
  };
}

export const fallbackNote = (placed: number, asked: number, reason: string): string =>
  placed === asked
    ? `spot capacity unavailable; ${placed} task(s) launched on FARGATE (${reason})`
    : `spot capacity unavailable; ${placed} of ${asked} task(s) launched on FARGATE (${reason})`;

/**
 * The same call on on-demand FARGATE, for a retry after a SpotInterruption of a policy.spotFallback job:
 * Spot took the capacity back once, so the next attempt does not bet on it again. Other calls unchanged.
 */
export function onDemandRequest(input: RunTaskCommandInput): RunTaskCommandInput {
  if (!usesFargateSpot(input)) return input;
  const { capacityProviderStrategy: _spot, launchType: _launchType, ...rest } = input;
  return { ...rest, capacityProviderStrategy: [{ capacityProvider: "FARGATE", weight: 1 }] };
}

export const ON_DEMAND_NOTE =
  "launched on FARGATE (on-demand): the previous attempt was interrupted by Spot and policy.spotFallback is set";
