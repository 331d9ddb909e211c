/** EventBridge Scheduler (or a classic rule's Scheduled Event) → one run of the job. See src/launch/on-schedule.ts. */
import type { Deps } from "../src/deps.ts";
import { onScheduleEvent } from "../src/launch/on-schedule.ts";
import { RUN_ACTION_CLIENTS } from "./clients.ts";
import { lambdaDeps, lambdaHandler } from "./runtime.ts";

export const createScheduleHandler = (deps: () => Promise<Deps>) =>
  lambdaHandler(async (event: unknown) => onScheduleEvent(await deps(), event));

export const handler = createScheduleHandler(lambdaDeps(RUN_ACTION_CLIENTS));
