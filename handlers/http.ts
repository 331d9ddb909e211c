/** API Gateway (HTTP API 2.0 or REST proxy 1.0) → handleHttp (src/http/router.ts) → proxy result. */
import type { Deps } from "../src/deps.ts";
import { type ApiGatewayResult, requestFromApiGateway, toApiGatewayResult } from "../src/http/apigw.ts";
import { errorResponse } from "../src/http/errors.ts";
import { handleHttp } from "../src/http/router.ts";
import type { HttpOptions } from "../src/http/types.ts";
import { resumeJob } from "../src/runs/pause.ts";
import { RUN_ACTION_CLIENTS } from "./clients.ts";
import { lambdaDeps, lambdaHandler, logger } from "./runtime.ts";

/** Resume is on by default: the one route that needs the Scheduler client. */
export const createHttpHandler = (deps: () => Promise<Deps>, options: HttpOptions = {}) =>
  lambdaHandler(async (event: unknown): Promise<ApiGatewayResult> => {
    let d: Deps;
    try {
      d = await deps();
    } catch (error) {
      // No catalogue or no ledger: the caller gets a generic 5xx, the log gets the cause.
      return toApiGatewayResult(errorResponse(error, logger));
    }
    // Not an API Gateway proxy event (a misconfigured integration, a test invoke): a 400, not a failed
    // invocation — and not one that reaches the routes without the request context that names the caller.
    let request: ReturnType<typeof requestFromApiGateway>;
    try {
      request = requestFromApiGateway(event);
    } catch (error) {
      return toApiGatewayResult(errorResponse(error, d.log));
    }
    return toApiGatewayResult(await handleHttp(d, request, { resumeJob, ...options }));
  });

export const handler = createHttpHandler(lambdaDeps(RUN_ACTION_CLIENTS));
