/** API Gateway (HTTP API 2.0 or REST proxy 1.0) → handleHttp (src/http/router.ts) → proxy result. */
import type { Deps } from "../src/app/deps.ts";
import { pausedJobs, pauseJob, resumeJob } from "../src/app/pause.ts";
import { type ApiGatewayResult, requestFromApiGateway, toApiGatewayResult } from "../src/http/apigw.ts";
import { errorResponse } from "../src/http/error-response.ts";
import { handleHttp } from "../src/http/router.ts";
import type { HttpOptions } from "../src/http/types.ts";
import { deployedSchedules } from "../src/scheduler/deployed-schedules.ts";
import { LAMBDA_CLIENTS } from "./lambda-clients.ts";
import { lambdaDeps, lambdaHandler, logger } from "./runtime.ts";

/**
 * Pause and resume are on by default, and so are the schedules' states and dates (what needs the Scheduler
 * client). No deps (no catalogue, no ledger) is a generic 5xx with the cause logged; an event that is not an
 * API Gateway proxy event (a misconfigured integration, a test invoke) is a 400, never a failed invocation.
 * handleHttp answers every other error.
 */
export const createHttpHandler = (deps: () => Promise<Deps>, options: HttpOptions = {}) =>
  lambdaHandler(async (event: unknown): Promise<ApiGatewayResult> => {
    let d: Deps | undefined;
    try {
      d = await deps();
      return toApiGatewayResult(
        await handleHttp(d, requestFromApiGateway(event), {
          resumeJob,
          pauseJob,
          pausedJobs,
          deployedSchedules,
          ...options,
        }),
      );
    } catch (error) {
      return toApiGatewayResult(errorResponse(error, d?.log ?? logger));
    }
  });

export const handler = createHttpHandler(lambdaDeps(LAMBDA_CLIENTS));
