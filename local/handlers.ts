/**
 * The real Lambda handlers (handlers/*.ts), invoked in-process by the local stack with the stack's deps:
 * the same middy chains that run in AWS, pointed at the local stand-ins. Imported statically, so that a
 * factory whose signature changes fails the type check here rather than a run of the stack.
 */
import type { APIGatewayProxyEventV2WithIAMAuthorizer, SQSEvent } from "aws-lambda";
import { createHttpHandler } from "../handlers/http.ts";
import { createInstanceLaunchHandler } from "../handlers/instance-launch.ts";
import { createScheduleHandler } from "../handlers/schedule.ts";
import { createStatusHandler } from "../handlers/status.ts";
import { createSweeperHandler } from "../handlers/sweeper.ts";
import type { Deps } from "../src/host/wiring.ts";
import type { ContainerInstanceStateChangeEvent } from "./ecs/index.ts";
import { lambdaContext } from "./lambda-context.ts";
import type { SchedulerInput } from "./scheduler.ts";

/** "Scheduled Event", as an EventBridge rule (the sweeper's rate(1 minute)) delivers it. */
export interface ScheduledEvent {
  version: "0";
  id: string;
  "detail-type": "Scheduled Event";
  source: "aws.events";
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, never>;
}

export interface LocalHandlers {
  schedule(input: SchedulerInput): Promise<unknown>;
  http(event: APIGatewayProxyEventV2WithIAMAuthorizer): Promise<unknown>;
  /** A batch from the task events queue (local: task-event-queue.ts), as deployed. */
  status(event: SQSEvent): Promise<unknown>;
  instanceLaunch(event: ContainerInstanceStateChangeEvent): Promise<unknown>;
  sweeper(event: ScheduledEvent): Promise<unknown>;
}

export type FunctionName = keyof LocalHandlers;

/** The second argument of createHttpHandler: what the HTTP handler reads from the stack (paused jobs). */
export type LocalHttpOptions = NonNullable<Parameters<typeof createHttpHandler>[1]>;

/** Each function's timeout (serverless.yml), which the handlers read from their context. */
const TIMEOUT_MS: Record<FunctionName, number> = {
  schedule: 30_000,
  http: 29_000,
  status: 30_000,
  instanceLaunch: 30_000,
  sweeper: 120_000,
};

export function createLocalHandlers(
  deps: Deps,
  identity: { region: string; accountId: string },
  options: {
    http?: LocalHttpOptions;
    /** Aborted at the stack's close: a running sweep stops between runs. */
    sweeps?: AbortSignal;
  } = {},
): LocalHandlers {
  const getDeps = () => Promise.resolve(deps);
  const context = (name: FunctionName) =>
    lambdaContext(`ecs-jobs-local-${name}`, { ...identity, timeoutMs: TIMEOUT_MS[name] });
  const schedule = createScheduleHandler(getDeps);
  const http = createHttpHandler(getDeps, options.http);
  const status = createStatusHandler(getDeps);
  const instanceLaunch = createInstanceLaunchHandler(getDeps);
  const sweeper = createSweeperHandler(getDeps, undefined, options.sweeps ? { signal: options.sweeps } : {});
  return {
    schedule: (event) => schedule(event, context("schedule")),
    http: (event) => http(event, context("http")),
    status: (event) => status(event, context("status")),
    instanceLaunch: (event) => instanceLaunch(event, context("instanceLaunch")),
    sweeper: (event) => sweeper(event, context("sweeper")),
  };
}
