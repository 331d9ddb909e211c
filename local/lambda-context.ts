/** The Lambda context object a locally invoked handler receives, as the Lambda runtime would build it. */
import { randomUUID } from "node:crypto";
import type { Context } from "aws-lambda";

export function lambdaContext(
  functionName: string,
  options: { region: string; accountId: string; timeoutMs?: number; memoryMb?: number },
): Context {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  const id = randomUUID();
  const day = new Date().toISOString().slice(0, 10).replace(/-/g, "/");
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:${options.region}:${options.accountId}:function:${functionName}`,
    memoryLimitInMB: String(options.memoryMb ?? 512),
    awsRequestId: id,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `${day}/[$LATEST]${id.replace(/-/g, "")}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
