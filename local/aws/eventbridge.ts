/**
 * EventBridge `PutEvents` (JSON 1.1, X-Amz-Target AWSEvents.PutEvents), as far as alerts need it. Entries are
 * checked the way EventBridge checks them: a bad entry fails alone (ErrorCode in its result entry, counted in
 * FailedEntryCount), a bad request fails whole (ValidationException).
 */
import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import { type AlertLog, kindOf, runOf } from "./alerts.ts";
import { sendJson, sendJsonError } from "./protocol.ts";

/** PutEvents: "The total size of the entries in the request must be ≤ 256 KB." */
const MAX_REQUEST_BYTES = 256 * 1024;

interface PutEventsEntry {
  Source?: unknown;
  DetailType?: unknown;
  Detail?: unknown;
  EventBusName?: unknown;
  Resources?: unknown;
  Time?: unknown;
}

type EntryResult = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

function checkEntry(e: PutEventsEntry, buses: ReadonlySet<string>): EntryResult | { detail: unknown } {
  const invalid = (name: string, why: string): EntryResult => ({
    ErrorCode: "InvalidArgument",
    ErrorMessage: `Parameter ${name} is not valid. Reason: ${why}`,
  });
  if (typeof e.Source !== "string" || !e.Source) return invalid("Source", "Source is a required argument.");
  if (typeof e.DetailType !== "string" || !e.DetailType)
    return invalid("DetailType", "DetailType is a required argument.");
  if (typeof e.Detail !== "string" || !e.Detail) return invalid("Detail", "Detail is a required argument.");
  const bus = typeof e.EventBusName === "string" && e.EventBusName ? e.EventBusName : "default";
  const busName = bus.startsWith("arn:") ? bus.slice(bus.lastIndexOf("/") + 1) : bus;
  if (!buses.has(busName))
    return { ErrorCode: "NotFoundException", ErrorMessage: `Event bus ${busName} does not exist.` };
  try {
    const detail: unknown = JSON.parse(e.Detail);
    if (!detail || typeof detail !== "object" || Array.isArray(detail)) throw new Error("not an object");
    return { detail };
  } catch {
    return { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." };
  }
}

export function putEvents(
  res: ServerResponse,
  body: Buffer,
  alerts: AlertLog,
  buses: ReadonlySet<string>,
): void {
  if (body.length > MAX_REQUEST_BYTES) {
    sendJsonError(
      res,
      400,
      "ValidationException",
      "Total size of the entries in the request is over the limit.",
    );
    return;
  }
  let input: { Entries?: unknown };
  try {
    input = JSON.parse(body.toString("utf8")) as { Entries?: unknown };
  } catch {
    sendJsonError(res, 400, "SerializationException", "Start of structure or map found where not expected.");
    return;
  }
  const entries = input.Entries;
  if (!Array.isArray(entries) || entries.length < 1 || entries.length > 10) {
    sendJsonError(
      res,
      400,
      "ValidationException",
      "1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and 10",
    );
    return;
  }
  const results: EntryResult[] = entries.map((raw: PutEventsEntry) => {
    const checked = checkEntry(raw ?? {}, buses);
    if (!("detail" in checked)) return checked;
    const detailType = raw.DetailType as string;
    const kind = kindOf(detailType);
    alerts.record({
      channel: "eventbridge",
      source: raw.Source as string,
      detailType,
      eventBusName: typeof raw.EventBusName === "string" && raw.EventBusName ? raw.EventBusName : "default",
      detail: checked.detail,
      ...(kind && { kind }),
      ...runOf(checked.detail),
    });
    return { EventId: randomUUID() };
  });
  sendJson(res, 200, {
    Entries: results,
    FailedEntryCount: results.filter((r) => "ErrorCode" in r).length,
  });
}
