/** "ECS Container Instance State Change" → StartTask of the cluster's onInstanceLaunch jobs. See src/launch/on-instance.ts. */
import type { Deps } from "../src/deps.ts";
import { onInstanceEvent } from "../src/launch/on-instance.ts";
import { RUN_ACTION_CLIENTS } from "./clients.ts";
import { lambdaDeps, lambdaHandler } from "./runtime.ts";

export const createInstanceLaunchHandler = (deps: () => Promise<Deps>) =>
  lambdaHandler(async (event: unknown) => {
    const runs = await onInstanceEvent(await deps(), event);
    return { started: runs.map((r) => ({ job: r.job, runId: r.runId, status: r.status })) };
  });

export const handler = createInstanceLaunchHandler(lambdaDeps(RUN_ACTION_CLIENTS));
