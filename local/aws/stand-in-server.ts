/**
 * One loopback HTTP server standing in for the AWS services the handlers call besides ECS and DynamoDB:
 * EventBridge (alerts), SNS (alerts), EventBridge Scheduler (pause/resume) and CloudWatch Logs (alert log
 * lines). The handlers use their ordinary SDK clients with this URL as endpoint; requests are told apart the
 * way AWS tells its protocols apart (X-Amz-Target, a form-encoded Action, a REST path).
 */
import { createServer } from "node:http";
import { closeServer, LOOPBACK, listen, readBody, refuseWebPages } from "../net.ts";
import type { AlertLog } from "./alerts.ts";
import { putEvents } from "./eventbridge.ts";
import { getLogEvents, type LogSource } from "./logs.ts";
import { sendJsonError } from "./protocol.ts";
import type { ScheduleStore } from "./schedules.ts";
import { snsQuery } from "./sns.ts";

export interface AwsStandIn {
  url: string;
  close(): Promise<void>;
}

export interface AwsStandInOptions {
  alerts: AlertLog;
  schedules: ScheduleStore;
  logs: LogSource;
  /** Event buses that exist ("default" always does). */
  eventBuses?: readonly string[];
  port?: number;
}

const MAX_BODY = 1024 * 1024;

export async function startAwsStandIn(options: AwsStandInOptions): Promise<AwsStandIn> {
  const buses = new Set(["default", ...(options.eventBuses ?? [])]);
  const server = createServer(async (req, res) => {
    try {
      const body = (await readBody(req, MAX_BODY)) ?? Buffer.alloc(0);
      const url = new URL(req.url ?? "/", `http://${LOOPBACK}`);
      const method = req.method ?? "GET";
      const target = String(req.headers["x-amz-target"] ?? "");
      if (target === "AWSEvents.PutEvents") return putEvents(res, body, options.alerts, buses);
      if (target === "Logs_20140328.GetLogEvents") return getLogEvents(res, body, options.logs);
      if (target)
        return sendJsonError(res, 400, "UnknownOperationException", `${target} is not supported locally`);
      const type = String(req.headers["content-type"] ?? "");
      if (method === "POST" && type.startsWith("application/x-www-form-urlencoded"))
        return snsQuery(res, new URLSearchParams(body.toString("utf8")), options.alerts);
      if (options.schedules.handle(res, method, url, body)) return;
      sendJsonError(
        res,
        404,
        "UnknownOperationException",
        `${method} ${url.pathname} is not supported locally`,
      );
    } catch (error) {
      if (!res.headersSent) sendJsonError(res, 500, "InternalFailure", (error as Error).message);
      else res.destroy();
    }
  });
  refuseWebPages(server, (res) =>
    sendJsonError(
      res,
      403,
      "AccessDeniedException",
      "the local AWS stand-ins answer this machine's programs only",
    ),
  );
  const port = await listen(server, options.port ?? 0);
  return { url: `http://${LOOPBACK}:${port}`, close: () => closeServer(server) };
}
