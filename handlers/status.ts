/** "ECS Task State Change" (EventBridge rule) → the run ledger, then retries, alerts, pause. See src/runs/status.ts. */
import type { Deps } from "../src/deps.ts";
import type { LaunchFn } from "../src/runs/retry.ts";
import { handleTaskStateChange } from "../src/runs/status.ts";
import { RUN_ACTION_CLIENTS } from "./clients.ts";
import { lambdaDeps, lambdaHandler } from "./runtime.ts";

export const createStatusHandler = (deps: () => Promise<Deps>, launch?: LaunchFn) =>
  lambdaHandler(async (event: unknown) => {
    const d = await deps();
    await handleTaskStateChange(launch ? { ...d, launch } : d, event);
  });

export const handler = createStatusHandler(lambdaDeps(RUN_ACTION_CLIENTS));
