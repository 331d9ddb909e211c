/**
 * API Gateway REST API Lambda proxy integration, payload format 1.0
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html).
 * With IAM authorization, `requestContext.identity` names the caller.
 */
import { z } from "zod";

export const ApiGatewayV1EventSchema = z.looseObject({
  httpMethod: z.string().min(1),
  path: z.string(),
  headers: z.record(z.string(), z.string().nullable()).nullish(),
  queryStringParameters: z.record(z.string(), z.string().nullable()).nullish(),
  body: z.string().nullish(),
  isBase64Encoded: z.boolean().nullish(),
  requestContext: z.looseObject({
    requestId: z.string().min(1),
    requestTimeEpoch: z.number().optional(),
    identity: z
      .looseObject({
        userArn: z.string().nullish(),
        caller: z.string().nullish(),
        user: z.string().nullish(),
      })
      .nullish(),
  }),
});

export type ApiGatewayV1Event = z.infer<typeof ApiGatewayV1EventSchema>;
