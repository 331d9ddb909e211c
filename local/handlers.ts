/**
 * The real Lambda handlers (handlers/*.ts), invoked in-process by the local stack with the stack's deps:
 * the same middy chains that run in AWS, pointed at the local stand-ins.
 */
import type { APIGatewayProxyEventV2WithIAMAuthorizer, SQSEvent } from "aws-lambda";
import type { Deps } from "../src/deps.ts";
import type { ContainerInstanceStateChangeEvent, TaskStateChangeEvent } from "./ecs/index.ts";
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
  /** A batch from the task events queue (local: task-event-queue.ts), or one event straight from a rule. */
  status(event: TaskStateChangeEvent | SQSEvent): Promise<unknown>;
  instanceLaunch(event: ContainerInstanceStateChangeEvent): Promise<unknown>;
  sweeper(event: ScheduledEvent): Promise<unknown>;
}

export type FunctionName = keyof LocalHandlers;

/**
 * The handler module of each function (serverless.yml) and its factory: every handler module exports
 * `handler` (deps from the environment, for Lambda) and a factory taking a deps getter, which is how the local
 * stack hands it deps pointed at the local stand-ins.
 */
export const HANDLER_MODULES: Record<FunctionName, { module: string; factory: string }> = {
  schedule: { module: "handlers/schedule.ts", factory: "createScheduleHandler" },
  http: { module: "handlers/http.ts", factory: "createHttpHandler" },
  status: { module: "handlers/status.ts", factory: "createStatusHandler" },
  instanceLaunch: { module: "handlers/instance-launch.ts", factory: "createInstanceLaunchHandler" },
  sweeper: { module: "handlers/sweeper.ts", factory: "createSweeperHandler" },
};

type LambdaHandler = (event: unknown, context: unknown) => Promise<unknown>;
type Factory = (deps: () => Promise<Deps>, options?: unknown) => LambdaHandler;

/** Raised when a piece the local stack runs has not been built yet (or was renamed). */
export class MissingPieceError extends Error {
  constructor(what: string, cause?: unknown) {
    super(`the local stack needs ${what}`, cause === undefined ? undefined : { cause });
    this.name = "MissingPieceError";
  }
}

const ROOT = new URL("../", import.meta.url);

async function loadFactory(name: FunctionName): Promise<Factory> {
  const { module, factory } = HANDLER_MODULES[name];
  let mod: Record<string, unknown>;
  try {
    mod = (await import(new URL(module, ROOT).href)) as Record<string, unknown>;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ERR_MODULE_NOT_FOUND" && String((error as Error).message).includes(module))
      throw new MissingPieceError(`${module} (exporting ${factory})`, error);
    throw error;
  }
  const fn = mod[factory];
  if (typeof fn !== "function") throw new MissingPieceError(`${module} to export ${factory}(getDeps)`);
  return fn as Factory;
}

export interface LoadedHandlers {
  handlers: LocalHandlers;
  /** Functions that could not be loaded; invoking one fails with the reason. */
  missing: MissingPieceError[];
}

export async function loadHandlers(
  deps: Deps,
  identity: { region: string; accountId: string },
  /** Second argument of a factory, by function (createHttpHandler's HttpOptions). */
  factoryOptions: Partial<Record<FunctionName, unknown>> = {},
): Promise<LoadedHandlers> {
  const getDeps = () => Promise.resolve(deps);
  const missing: MissingPieceError[] = [];
  const entries = await Promise.all(
    (Object.keys(HANDLER_MODULES) as FunctionName[]).map(
      async (name): Promise<[FunctionName, LambdaHandler]> => {
        try {
          const options = factoryOptions[name];
          const factory = await loadFactory(name);
          return [name, options === undefined ? factory(getDeps) : factory(getDeps, options)];
        } catch (error) {
          if (!(error instanceof MissingPieceError)) throw error;
          missing.push(error);
          return [
            name,
            async () => {
              throw error;
            },
          ];
        }
      },
    ),
  );
  const byName = Object.fromEntries(entries) as Record<FunctionName, LambdaHandler>;
  const timeouts: Record<FunctionName, number> = {
    schedule: 30_000,
    http: 30_000,
    status: 30_000,
    instanceLaunch: 30_000,
    sweeper: 120_000,
  };
  const invoke = (name: FunctionName) => (event: unknown) =>
    byName[name](event, lambdaContext(`ecs-jobs-local-${name}`, { ...identity, timeoutMs: timeouts[name] }));
  return {
    handlers: {
      schedule: invoke("schedule"),
      http: invoke("http"),
      status: invoke("status"),
      instanceLaunch: invoke("instanceLaunch"),
      sweeper: invoke("sweeper"),
    },
    missing,
  };
}
