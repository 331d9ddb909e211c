/**
 * SNS `Publish` (Query protocol: form-encoded Action=Publish, XML answer). Every topic exists locally: the
 * message is captured as an alert instead of being delivered.
 */
import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import { type AlertLog, kindOf, runOf } from "./alerts.ts";
import { sendQueryError, sendXml } from "./protocol.ts";

/** Publish: "The message must be … no longer than 256 KB"; the subject at most 100 characters. */
const MAX_MESSAGE_BYTES = 256 * 1024;
const MAX_SUBJECT = 100;
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;

const SNS_KIND = /\b(FAILED|TIMED_OUT|MISSED|PAUSED|SLOW|RECOVERED)\b/;
const RUN_ID = /\b\d{8}T\d{6}Z-[0-9a-f]{8}\b/;

/**
 * What an alert message is about. The message may be JSON (the run, or wrapping it) or text for people
 * ("ecs-jobs FAILED: report run 20260101T…" as subject, "Job: report" as a line).
 */
function snsAlertOf(
  subject: string | undefined,
  message: string,
): { kind?: string; job?: string; runId?: string } {
  let fromJson: { job?: string; runId?: string } = {};
  try {
    fromJson = runOf(JSON.parse(message));
  } catch {}
  const text = `${subject ?? ""}\n${message}`;
  const kind = kindOf(subject) ?? SNS_KIND.exec(subject ?? "")?.[1] ?? kindOf(message.slice(0, 200));
  const job =
    fromJson.job ?? /^Job: (\S+)$/m.exec(message)?.[1] ?? /: (\S+) run \d{8}T/.exec(subject ?? "")?.[1];
  const runId = fromJson.runId ?? RUN_ID.exec(text)?.[0];
  return { ...(kind && { kind }), ...(job && { job }), ...(runId && { runId }) };
}

export function snsQuery(res: ServerResponse, params: URLSearchParams, alerts: AlertLog): void {
  const action = params.get("Action");
  if (action !== "Publish") {
    sendQueryError(
      res,
      400,
      "InvalidAction",
      `The action ${action ?? "(none)"} is not valid for this endpoint.`,
    );
    return;
  }
  const topicArn = params.get("TopicArn") ?? params.get("TargetArn") ?? "";
  const message = params.get("Message");
  const subject = params.get("Subject") ?? undefined;
  if (!TOPIC_ARN.test(topicArn)) {
    sendQueryError(res, 400, "InvalidParameter", "Invalid parameter: TopicArn");
    return;
  }
  if (message === null || message === "") {
    sendQueryError(
      res,
      400,
      "ValidationError",
      "1 validation error detected: Value null at 'message' failed to satisfy constraint: Member must not be null",
    );
    return;
  }
  if (Buffer.byteLength(message) > MAX_MESSAGE_BYTES) {
    sendQueryError(res, 400, "InvalidParameter", "Invalid parameter: Message too long");
    return;
  }
  if (subject !== undefined && (subject.length > MAX_SUBJECT || /[\r\n]/.test(subject))) {
    sendQueryError(res, 400, "InvalidParameter", "Invalid parameter: Subject");
    return;
  }
  alerts.record({
    channel: "sns",
    topicArn,
    message,
    ...(subject !== undefined && { subject }),
    ...snsAlertOf(subject, message),
  });
  const id = randomUUID();
  sendXml(
    res,
    200,
    `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${id}</MessageId>` +
      `</PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`,
  );
}
