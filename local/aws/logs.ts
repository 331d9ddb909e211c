/**
 * CloudWatch Logs `GetLogEvents` (JSON 1.1), so a failure alert can show the container's last lines. Locally
 * only tasks run with `local.exec` have output; any other stream does not exist, as in AWS.
 */
import type { ServerResponse } from "node:http";
import { sendJson, sendJsonError } from "./protocol.ts";

/** The lines of one log stream, oldest first, or undefined when the stream does not exist. */
export type LogSource = (
  group: string,
  stream: string,
) => { timestamp: number; message: string }[] | undefined;

export function getLogEvents(res: ServerResponse, body: Buffer, source: LogSource): void {
  let input: {
    logGroupName?: unknown;
    logStreamName?: unknown;
    limit?: unknown;
    startFromHead?: unknown;
    nextToken?: unknown;
    startTime?: unknown;
  };
  try {
    input = JSON.parse(body.toString("utf8")) as typeof input;
  } catch {
    sendJsonError(res, 400, "SerializationException", "The request body is not valid JSON.");
    return;
  }
  if (typeof input.logStreamName !== "string" || !input.logStreamName) {
    sendJsonError(
      res,
      400,
      "InvalidParameterException",
      "1 validation error detected: Value null at 'logStreamName' failed to satisfy constraint: Member must not be null",
    );
    return;
  }
  const group = typeof input.logGroupName === "string" ? input.logGroupName : "";
  const lines = source(group, input.logStreamName);
  if (!lines) {
    sendJsonError(res, 400, "ResourceNotFoundException", "The specified log stream does not exist.");
    return;
  }
  const limit = typeof input.limit === "number" && input.limit > 0 ? Math.min(input.limit, 10_000) : 10_000;
  // Tokens are positions in the stream: `f/N` reads forward from line N. As in CloudWatch, reading past the
  // end answers the token it was given, which is how a reader knows it has it all.
  const forward = typeof input.nextToken === "string" ? /^f\/(\d+)$/.exec(input.nextToken) : null;
  if (typeof input.nextToken === "string" && !forward) {
    sendJsonError(res, 400, "InvalidParameterException", "The specified nextToken is not valid.");
    return;
  }
  if (forward || input.startFromHead === true) {
    const since = typeof input.startTime === "number" ? input.startTime : 0;
    const start = forward ? Number(forward[1]) : lines.findIndex((l) => l.timestamp >= since);
    const from = start < 0 ? lines.length : Math.min(start, lines.length);
    const picked = lines.slice(from, from + limit);
    sendJson(res, 200, {
      events: picked.map((l) => ({ ...l, ingestionTime: l.timestamp })),
      nextForwardToken: `f/${from + picked.length}`,
      nextBackwardToken: `b/${from}`,
    });
    return;
  }
  const picked = lines.slice(-limit);
  sendJson(res, 200, {
    events: picked.map((l) => ({ ...l, ingestionTime: l.timestamp })),
    nextForwardToken: `f/${lines.length}`,
    nextBackwardToken: `b/${lines.length - picked.length}`,
  });
}
