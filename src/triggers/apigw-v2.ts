/**
 * API Gateway HTTP API, payload format 2.0
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html).
 * With IAM authorization, `requestContext.authorizer.iam` names the caller.
 */
import { z } from "zod";

const IamSchema = z.looseObject({
  userArn: z.string().nullish(),
  callerId: z.string().nullish(),
  accountId: z.string().nullish(),
});

export const ApiGatewayV2EventSchema = z.looseObject({
  version: z.literal("2.0"),
  rawPath: z.string(),
  rawQueryString: z.string().optional(),
  headers: z.record(z.string(), z.string()).nullish(),
  queryStringParameters: z.record(z.string(), z.string()).nullish(),
  body: z.string().nullish(),
  isBase64Encoded: z.boolean().optional(),
  requestContext: z.looseObject({
    requestId: z.string().min(1),
    stage: z.string().optional(),
    timeEpoch: z.number().optional(),
    http: z.looseObject({ method: z.string().min(1), path: z.string().optional() }),
    authorizer: z.looseObject({ iam: IamSchema.nullish() }).nullish(),
  }),
});

export type ApiGatewayV2Event = z.infer<typeof ApiGatewayV2EventSchema>;
