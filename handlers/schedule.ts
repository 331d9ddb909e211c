/** EventBridge Scheduler (or a classic rule's Scheduled Event) → one run of the job. See src/app/on-schedule.ts. */
import type { Deps } from "../src/app/deps.ts";
import { onScheduleEvent } from "../src/app/on-schedule.ts";
import { RUN_ACTION_CLIENTS } from "./run-action-clients.ts";
import { lambdaDeps, lambdaHandler, launchStopBy } from "./runtime.ts";

export const createScheduleHandler = (deps: () => Promise<Deps>) =>
  lambdaHandler(async (event: unknown, context) => {
    const d = await deps();
    // On the deps' clock, which the launcher compares it with (the local stack's may be offset).
    return onScheduleEvent(d, event, { stopBy: launchStopBy(context, d.now().getTime()) });
  });

export const handler = createScheduleHandler(lambdaDeps(RUN_ACTION_CLIENTS));
