/** "ECS Container Instance State Change" → StartTask of the cluster's onInstanceLaunch jobs. See src/app/on-instance-launch.ts. */
import type { Deps } from "../src/app/deps.ts";
import { onInstanceEvent } from "../src/app/on-instance-launch.ts";
import { RUN_ACTION_CLIENTS } from "./run-action-clients.ts";
import { lambdaDeps, lambdaHandler } from "./runtime.ts";

export const createInstanceLaunchHandler = (deps: () => Promise<Deps>) =>
  lambdaHandler(async (event: unknown) => {
    const runs = await onInstanceEvent(await deps(), event);
    return { started: runs.map((r) => ({ job: r.job, runId: r.runId, status: r.status })) };
  });

export const handler = createInstanceLaunchHandler(lambdaDeps(RUN_ACTION_CLIENTS));
