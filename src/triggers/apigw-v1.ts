/**
 * API Gateway REST API Lambda proxy integration, payload format 1.0
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html).
 * With IAM authorization, `requestContext.identity` names the caller.
 */

import * as z from "zod/mini";
import { lazySchema } from "../zod-locale.ts";

const headerMap = lazySchema(() => z.nullish(z.record(z.string(), z.nullable(z.string()))));

export const ApiGatewayV1EventSchema = lazySchema(() =>
  z.looseObject({
    httpMethod: z.string().check(z.minLength(1)),
    path: z.string(),
    headers: headerMap,
    queryStringParameters: headerMap,
    body: z.nullish(z.string()),
    isBase64Encoded: z.nullish(z.boolean()),
    requestContext: z.looseObject({
      requestId: z.string().check(z.minLength(1)),
      requestTimeEpoch: z.optional(z.number()),
      identity: z.nullish(
        z.looseObject({
          userArn: z.nullish(z.string()),
          caller: z.nullish(z.string()),
          user: z.nullish(z.string()),
        }),
      ),
    }),
  }),
);
