/**
 * One RunTask call of a run and, for Spot jobs with policy.spotFallback, the on-demand relaunch of what Spot
 * could not place. Answers with what to record. An ECS error is returned, not thrown, because it ends the run
 * rather than the invocation: a 4xx, and also a throttle, 5xx, network error or unreadable answer that
 * outlasted the SDK's retries (src/aws/clients.ts) — thrown, it left the run PENDING with no task, holding
 * its concurrency slot until the sweeper timed it out. Only a programming error is thrown.
 */
import { RunTaskCommand, type RunTaskCommandInput, type RunTaskCommandOutput } from "@aws-sdk/client-ecs";
import { classifyAwsError, errorMessage, errorName } from "../aws/ecs-call.ts";
import type { Job } from "../jobspec/schema.ts";
import type { RunFailure, TaskState } from "../runs/model.ts";
import type { EcsPort } from "./ecs-port.ts";
import { failureOf, padFailures } from "./failures.ts";
import { type Launchers, launchClient } from "./launcher-credentials.ts";
import type { RunTaskPacer } from "./runtask-pacer.ts";
import {
  CAPACITY_UNAVAILABLE,
  fallbackNote,
  fallbackRequest,
  isCapacityFailure,
  usesFargateSpot,
} from "./spot.ts";
import { containerDefinitions, taskStateOf } from "./task-state.ts";

export interface BatchResult {
  tasks: TaskState[];
  /** One per task never placed (padded; see padFailures). */
  failures: RunFailure[];
  notes: string[];
}

export interface Rejected {
  /** `transient`: throttling, 5xx, network or an unreadable answer, after the SDK's retries. */
  rejected: { name: string; message: string; transient: boolean };
}

/**
 * What a RunTask call needs: ECS, the pacer its launches share when the process has one, and the launcher
 * roles' clients when the deployment has them.
 */
export type RunTaskPort = EcsPort & { runTaskPacer?: RunTaskPacer; launchers?: Launchers };

/** RunTask; a capacity error becomes failures, another ECS error is returned, a bug is thrown. */
async function runTask(
  deps: RunTaskPort,
  job: Job,
  input: RunTaskCommandInput,
): Promise<Pick<RunTaskCommandOutput, "tasks" | "failures"> | Rejected> {
  try {
    await deps.runTaskPacer?.take(input.count ?? 1);
    return (await launchClient(deps, job.name, "RunTask").send(new RunTaskCommand(input))) ?? {};
  } catch (error) {
    const message = errorMessage(error);
    if (CAPACITY_UNAVAILABLE.test(message))
      return { tasks: [], failures: [{ reason: message, detail: errorName(error) }] };
    const kind = classifyAwsError(error);
    if (kind === "unknown") throw error;
    return { rejected: { name: errorName(error), message, transient: kind !== "client" } };
  }
}

async function tasksOf(deps: RunTaskPort, input: RunTaskCommandInput, answer: RunTaskCommandOutput["tasks"]) {
  const tasks = (answer ?? []).filter((t) => t.taskArn);
  if (tasks.length === 0) return [];
  const definition = tasks[0]?.taskDefinitionArn ?? input.taskDefinition;
  const containers = definition ? await containerDefinitions(deps, definition) : undefined;
  return tasks.map((t) => taskStateOf(t, containers));
}

export async function launchBatch(
  deps: RunTaskPort,
  job: Job,
  input: RunTaskCommandInput,
): Promise<BatchResult | Rejected> {
  const asked = input.count ?? 1;
  const answer = await runTask(deps, job, input);
  if ("rejected" in answer) return answer;
  const tasks = await tasksOf(deps, input, answer.tasks);
  let failures = (answer.failures ?? []).map(failureOf);
  const notes: string[] = [];

  const missing = asked - tasks.length;
  const capacity = failures.filter(isCapacityFailure);
  if (job.spec.policy.spotFallback && usesFargateSpot(input) && missing > 0 && capacity.length > 0) {
    // Spot's capacity failures are superseded by the on-demand attempt: they become a note, and only what
    // the fallback itself could not place counts against the run.
    const again = capacity.length === failures.length ? missing : Math.min(missing, capacity.length);
    const fallback = await runTask(deps, job, fallbackRequest(input, again));
    const placed = "rejected" in fallback ? [] : await tasksOf(deps, input, fallback.tasks);
    const fallbackFailures =
      "rejected" in fallback
        ? [{ reason: fallback.rejected.name, detail: fallback.rejected.message }]
        : (fallback.failures ?? []).map(failureOf);
    failures = failures.filter((f) => !isCapacityFailure(f));
    tasks.push(...placed);
    failures.push(...fallbackFailures);
    notes.push(fallbackNote(placed.length, again, capacity[0]?.reason ?? "capacity unavailable"));
    deps.log.info("spot capacity unavailable; fell back to FARGATE", { asked: again, placed: placed.length });
  }
  return { tasks, failures: padFailures(failures, asked - tasks.length, asked), notes };
}
