/** The HTTP API without a framework: what the Lambda adapter and the local server both hand to handleHttp. */
import type { PausedJobsDeps, ScheduleControlDeps } from "../app/pause.ts";
import type { Job } from "../jobspec/schema.ts";
import type { DeployedSchedule } from "../schedule/deployed.ts";
import type { SchedulerPort } from "../scheduler/schedules.ts";

export interface HttpRequest {
  method: string;
  /** Without the stage; percent-encoded as received. */
  path: string;
  query: Record<string, string | undefined>;
  /** Lower-case names. */
  headers: Record<string, string | undefined>;
  /** The body as text (the adapter decodes base64). */
  body?: string | undefined;
  /** API Gateway's request id (or the local server's): the trigger id of a POST /jobs/{name}/runs. */
  requestId: string;
  /** The authenticated caller (IAM ARN) when the gateway tells; recorded as trigger.by. */
  principal?: string | undefined;
  /** When the gateway received the request (epoch ms); part of the run id, so a redelivery maps to one run. */
  time?: number | undefined;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface HttpOptions {
  /** POST /jobs/{name}/resume; absent = 501. */
  resumeJob?: (deps: ScheduleControlDeps, job: Job) => Promise<unknown>;
  /** Jobs whose schedule is paused (GET /jobs, GET /jobs/{name}); absent = every job as its spec says. */
  pausedJobs?: (deps: PausedJobsDeps) => Promise<ReadonlySet<string>>;
  /**
   * The jobs' rate schedules as deployed (GET /jobs, GET /jobs/{name}), where they count from; absent =
   * `deps.scheduleAnchor` (the local stack's), else from the request time.
   */
  deployedSchedules?: (
    deps: SchedulerPort,
    jobs: readonly Job[],
  ) => Promise<ReadonlyMap<string, DeployedSchedule>>;
  /** POST /jobs/{name}/pause; absent = 501. */
  pauseJob?: (deps: ScheduleControlDeps, job: Job) => Promise<unknown>;
  /** Default MAX_BODY_BYTES. */
  maxBodyBytes?: number;
}
