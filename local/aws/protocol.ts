/** Answering AWS SDK clients in their wire protocols (JSON 1.1, REST-JSON, Query/XML). */
import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  contentType = "application/x-amz-json-1.1",
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": contentType,
    "content-length": Buffer.byteLength(text),
    "x-amzn-requestid": randomUUID(),
  });
  res.end(text);
}

/** A JSON-protocol error: the SDK reads the code from `__type` (JSON 1.1) or `x-amzn-errortype` (REST-JSON). */
export function sendJsonError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  contentType = "application/x-amz-json-1.1",
): void {
  const text = JSON.stringify({ __type: code, message, Message: message });
  res.writeHead(status, {
    "content-type": contentType,
    "content-length": Buffer.byteLength(text),
    "x-amzn-errortype": code,
    "x-amzn-requestid": randomUUID(),
  });
  res.end(text);
}

const xmlEscape = (s: string): string =>
  s.replace(
    /[<>&"']/g,
    (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c] ?? c,
  );

export function sendXml(res: ServerResponse, status: number, xml: string): void {
  res.writeHead(status, { "content-type": "text/xml", "content-length": Buffer.byteLength(xml) });
  res.end(xml);
}

/** A Query-protocol error (SNS). */
export function sendQueryError(res: ServerResponse, status: number, code: string, message: string): void {
  sendXml(
    res,
    status,
    `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type>` +
      `<Code>${xmlEscape(code)}</Code><Message>${xmlEscape(message)}</Message></Error>` +
      `<RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
  );
}
