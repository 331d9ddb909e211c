/** Small helpers for the local servers: listening on loopback and closing without waiting for idle clients. */
import type { IncomingMessage, RequestListener, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export const LOOPBACK = "127.0.0.1";

/**
 * Whether a request's Host header names this machine's loopback. The servers listen on 127.0.0.1 only, but a
 * web page can still reach them by DNS rebinding (its own name resolving to 127.0.0.1), and it then sends its
 * own name as Host: refusing other names keeps browsers out. The AWS SDKs and CLI send the endpoint's host;
 * a request with no Host (HTTP/1.0 tools) or an empty one comes from no browser, and is let through.
 */
export function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined || host.trim() === "") return true;
  const name = host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.replace(/:\d+$/, "");
  return name === LOOPBACK || name === "localhost" || name === "[::1]";
}

/**
 * Whether a request to one of the local AWS stand-ins (ECS emulator, run ledger, EventBridge/SNS/Scheduler/
 * Logs) comes from a web page rather than a program on this machine: browsers send an Origin on cross-site
 * requests (the AWS SDKs and CLI never do), and a page reaching the port by DNS rebinding sends its own Host.
 * These servers do not authenticate, so such requests are refused.
 */
const sentByWebPage = (req: IncomingMessage): boolean =>
  req.headers.origin !== undefined || !isLoopbackHost(req.headers.host);

/** Puts `refuse` in front of a server's request handlers: a request it refuses gets `deny`, nothing else. */
export function guardRequests(
  server: Server,
  refuse: (req: IncomingMessage) => boolean,
  deny: (res: ServerResponse) => void,
): void {
  const listeners = server.listeners("request") as RequestListener[];
  server.removeAllListeners("request");
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    if (!refuse(req)) {
      for (const listener of listeners) listener.call(server, req, res);
      return;
    }
    req.resume();
    deny(res);
  });
}

/** Puts sentByWebPage in front of a server's request handlers: such a request gets `deny`, nothing else. */
export function refuseWebPages(server: Server, deny: (res: ServerResponse) => void): void {
  guardRequests(server, sentByWebPage, deny);
}

/**
 * The access key id a SigV4 request names (`Authorization: AWS4-HMAC-SHA256 Credential=AKID/date/…`). Seen
 * without checking the signature: the key itself is the secret here (random, kept in an owner-only file).
 */
export function accessKeyOf(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  return typeof auth === "string" ? /\bCredential=([^/,\s]+)\//.exec(auth)?.[1] : undefined;
}

/** Listens on 127.0.0.1 (port 0 = a free one) and resolves to the bound port. */
export function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once("error", onError);
    server.listen(port, LOOPBACK, () => {
      server.off("error", onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * Stops accepting connections and drops idle keep-alive ones, so shutdown does not hang on an open browser tab;
 * requests still in flight get `graceMs` to finish before their sockets go too.
 */
export function closeServer(server: Server, graceMs = 1_000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), graceMs).unref();
  });
}

/** Reads a request body up to `limit` bytes; resolves undefined when the body is larger. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      resolve(undefined);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(tooLarge ? undefined : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}
