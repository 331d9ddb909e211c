/**
 * The ECS JSON 1.1 protocol over HTTP: `POST /` with `X-Amz-Target:
 * AmazonEC2ContainerServiceV20141113.<Operation>`, a JSON body, and a JSON answer; errors are
 * `{"__type": "<Exception>", "message": "…"}` with status 400 (500 for ServerException), which the AWS
 * SDKs and CLI turn into the matching exception. Signatures are not checked: any credentials work; but web
 * pages are refused (net.ts, refuseWebPages), as RunTask with a command override on an `exec` job runs that
 * command on this machine.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { ecsModel } from "../model/ecs-model.ts";
import { refuseWebPages } from "../net.ts";
import { EcsApiError } from "./api-error.ts";
import type { EmulatorCore } from "./core.ts";
import { HANDLERS, isOperation } from "./operations.ts";
import { requestedCount } from "./rate-limits.ts";
import { checkRequest } from "./request-check.ts";
import { toWire } from "./wire.ts";

export interface EmulatorCall {
  operation: string;
  input: unknown;
  status: number;
  /** The answer as sent on the wire (timestamps as epoch seconds). */
  output?: unknown;
  error?: { type: string; message: string };
}

const MAX_BODY_BYTES = 10 * 1024 * 1024;
const CONTENT_TYPE = "application/x-amz-json-1.1";

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new EcsApiError("SerializationException", "Request body too large."));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": CONTENT_TYPE,
    "Content-Length": Buffer.byteLength(text),
    "x-amzn-RequestId": randomUUID(),
  });
  res.end(text);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function createEcsServer(
  core: EmulatorCore,
  log: EmulatorCall[],
  onInternalError: (e: unknown) => void,
): Server {
  const prefix = `${ecsModel().metadata.targetPrefix}.`;
  const server = createServer((req, res) => {
    void (async () => {
      let operation = "";
      let input: unknown;
      try {
        if (req.method !== "POST") {
          send(res, 200, { service: "ecs", emulator: "ecs-jobs", endpoint: "POST / with X-Amz-Target" });
          return;
        }
        const body = await readBody(req);
        const target = String(req.headers["x-amz-target"] ?? "");
        operation = target.startsWith(prefix) ? target.slice(prefix.length) : target;
        if (!target.startsWith(prefix) || !isOperation(operation))
          throw new EcsApiError(
            "UnknownOperationException",
            `The ECS emulator does not serve ${target ? JSON.stringify(target) : "requests without X-Amz-Target"}.`,
          );
        try {
          input = body.trim() === "" ? {} : JSON.parse(body);
        } catch {
          throw new EcsApiError("SerializationException", "The request body is not valid JSON.");
        }
        const fault = core.faults.decide(operation);
        if (fault.latencyMs > 0) await sleep(fault.latencyMs);
        if (fault.error) throw fault.error;
        if (fault.garbled) {
          log.push({ operation, input, status: 502, error: { type: "BadGateway", message: "HTML page" } });
          res.writeHead(502, { "Content-Type": "text/html" });
          res.end("<html><body><h1>502 Bad Gateway</h1></body></html>");
          return;
        }
        // Before the request is checked, as AWS's front door counts every call it receives.
        if (operation === "RunTask") core.rateLimits?.admit(requestedCount(input));
        checkRequest(operation, input);
        if (operation === "RunTask" || operation === "StartTask") core.ensureStateWritable();
        const output = toWire(await HANDLERS[operation](core, input as never));
        log.push({ operation, input, status: 200, output });
        send(res, 200, output);
      } catch (e) {
        const error =
          e instanceof EcsApiError
            ? e
            : new EcsApiError(
                "ServerException",
                `Internal emulator error: ${(e as Error).message ?? String(e)}`,
              );
        if (!(e instanceof EcsApiError)) onInternalError(e);
        log.push({
          operation,
          input,
          status: error.$metadata.httpStatusCode,
          error: { type: error.name, message: error.message },
        });
        if (!res.headersSent)
          send(res, error.$metadata.httpStatusCode, { __type: error.name, message: error.message });
      }
    })();
  });
  refuseWebPages(server, (res) =>
    send(res, 403, {
      __type: "AccessDeniedException",
      message:
        "The ECS emulator answers programs on this machine (Host 127.0.0.1 or localhost), not web pages.",
    }),
  );
  return server;
}
