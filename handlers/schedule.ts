/** EventBridge Scheduler (or a classic rule's Scheduled Event) → one run of the job. See src/app/on-schedule.ts. */
import type { Deps } from "../src/app/deps.ts";
import { onScheduleEvent, type ScheduleOutcome } from "../src/app/on-schedule.ts";
import { scheduleEventProblem, scheduleTriggerOf } from "../src/triggers/schedule-trigger.ts";
import { LAMBDA_CLIENTS } from "./lambda-clients.ts";
import { lambdaDeps, lambdaHandler, launchStopBy } from "./runtime.ts";

export const createScheduleHandler = (deps: () => Promise<Deps>) =>
  lambdaHandler(async (event: unknown, context): Promise<ScheduleOutcome> => {
    const d = await deps();
    const found = scheduleTriggerOf(event);
    if (!found) {
      // Dropped, not thrown: Lambda would retry a bad event forever.
      d.log.error("not a scheduler input nor a Scheduled Event; dropped", {
        expected: '{"job","executionId","scheduledTime"} or a Scheduled Event',
        ...scheduleEventProblem(event),
      });
      return { outcome: "dropped", reason: "unrecognised event" };
    }
    // On the deps' clock, which the launcher compares it with (the local stack's may be offset).
    return onScheduleEvent(d, found, { stopBy: launchStopBy(context, d.now().getTime()) });
  });

export const handler = createScheduleHandler(lambdaDeps(LAMBDA_CLIENTS));
