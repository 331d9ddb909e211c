/** The ECS API emulator of local mode: see emulator.ts. */
export { EcsApiError, type EcsErrorType } from "./api-error.ts";
export type { EmulatorCall } from "./api-server.ts";
export type { ContainerInstanceAttrs } from "./clusters.ts";
export { type EcsEmulator, type EcsEmulatorOptions, startEcsEmulator } from "./emulator.ts";
export {
  type Clock,
  createManualClock,
  type ManualClock,
  realClock,
  type TimerHandle,
} from "./emulator-clock.ts";
export type { ContainerInstanceStateChangeEvent, EcsEvent, TaskStateChangeEvent } from "./events.ts";
export type { ContainerOutput } from "./exec.ts";
export type { FaultSettings } from "./faults.ts";
export { DEFAULT_PHASE_MS, type PhaseDurations } from "./lifecycle.ts";
export { FARGATE_RATE_LIMITS, type RateLimitSettings } from "./rate-limits.ts";
export { type EmulatorSnapshot, EmulatorStateError } from "./store.ts";
export type { BehaviourContext, BehaviourResolver, LocalBehaviour, LocalOutcome } from "./task-behaviour.ts";
