/**
 * API Gateway HTTP API, payload format 2.0
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html).
 * With IAM authorization, `requestContext.authorizer.iam` names the caller.
 */

import * as z from "zod/mini";
import { lazySchema } from "../zod-locale.ts";

const IamSchema = lazySchema(() =>
  z.looseObject({
    userArn: z.nullish(z.string()),
    callerId: z.nullish(z.string()),
    accountId: z.nullish(z.string()),
  }),
);

export const ApiGatewayV2EventSchema = lazySchema(() =>
  z.looseObject({
    version: z.literal("2.0"),
    rawPath: z.string(),
    rawQueryString: z.optional(z.string()),
    headers: z.nullish(z.record(z.string(), z.string())),
    queryStringParameters: z.nullish(z.record(z.string(), z.string())),
    body: z.nullish(z.string()),
    isBase64Encoded: z.optional(z.boolean()),
    requestContext: z.looseObject({
      requestId: z.string().check(z.minLength(1)),
      stage: z.optional(z.string()),
      timeEpoch: z.optional(z.number()),
      http: z.looseObject({ method: z.string().check(z.minLength(1)), path: z.optional(z.string()) }),
      authorizer: z.nullish(z.looseObject({ iam: z.nullish(IamSchema) })),
    }),
  }),
);
