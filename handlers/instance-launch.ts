/** "ECS Container Instance State Change" → StartTask of the cluster's onInstanceLaunch jobs. See src/app/on-instance-launch.ts. */
import type { Deps } from "../src/app/deps.ts";
import { onInstanceEvent } from "../src/app/on-instance-launch.ts";
import { ContainerInstanceStateChangeSchema } from "../src/triggers/container-instance.ts";
import { LAMBDA_CLIENTS } from "./lambda-clients.ts";
import { lambdaDeps, lambdaHandler } from "./runtime.ts";

export const createInstanceLaunchHandler = (deps: () => Promise<Deps>) =>
  lambdaHandler(async (event: unknown) => {
    const d = await deps();
    const parsed = ContainerInstanceStateChangeSchema.safeParse(event);
    if (!parsed.success) {
      // Dropped, not thrown: Lambda would retry a bad event forever.
      const issue = parsed.error.issues[0];
      d.log.warn("not an ECS Container Instance State Change; dropped", {
        field: issue?.path.map(String).join(".") ?? "",
        problem: issue?.message ?? "invalid",
      });
      return { started: [] };
    }
    const runs = await onInstanceEvent(d, parsed.data);
    return { started: runs.map((r) => ({ job: r.job, runId: r.runId, status: r.status })) };
  });

export const handler = createInstanceLaunchHandler(lambdaDeps(LAMBDA_CLIENTS));
