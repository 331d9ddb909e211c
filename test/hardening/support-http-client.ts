/**
 * Requests as a hostile client sends them: node:http with a keep-alive agent (the path goes out as written,
 * `../` and `%2F` included, which fetch would normalise away), and raw bytes on a socket for what no HTTP
 * client library would send at all.
 */
import { Agent, request } from "node:http";
import { connect } from "node:net";

export interface FuzzRequest {
  method: string;
  /** Sent verbatim: no normalisation, no encoding. */
  path: string;
  headers: Record<string, string | string[]>;
  body?: Buffer | string | undefined;
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * Spaces, control characters and non-ASCII are percent-encoded (as UTF-8): node:http refuses some of them,
 * and the server's parser refuses raw bytes above 0x7F before any auth happens; raw cases send those.
 */
const sendable = (path: string) =>
  path.replace(/[^\x21-\x7e]/gu, (c) => encodeURIComponent(c.replace(/[\ud800-\udfff]/g, "\ufffd")));

export function createClient(port: number, sockets = 4) {
  const agent = new Agent({ keepAlive: true, maxSockets: sockets });
  const send = (r: FuzzRequest): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const req = request(
        { host: "127.0.0.1", port, method: r.method, path: sendable(r.path), headers: r.headers, agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString("utf8"),
            }),
          );
          res.on("error", reject);
        },
      );
      req.setTimeout(10_000, () => req.destroy(new Error(`no answer in 10 s to ${r.method} ${r.path}`)));
      req.on("error", reject);
      // Framed always: Node sends a GET's body without Content-Length, which the server reads as the
      // start of a second request (raw cases cover that).
      if (r.body !== undefined && !Object.keys(r.headers).some((k) => k.toLowerCase() === "content-length"))
        req.setHeader("content-length", Buffer.byteLength(r.body));
      req.end(r.body);
    });
  return { send, close: () => agent.destroy() };
}

/** Writes `bytes` on a fresh connection and reads until the server closes it (or 5 s pass). */
export function rawExchange(port: number, bytes: Buffer | string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), 5_000);
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("error", (e: NodeJS.ErrnoException) => {
      // The server may close while we still write a large request: what it answered still counts.
      if (e.code !== "ECONNRESET" && e.code !== "EPIPE") reject(e);
    });
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(parseResponse(Buffer.concat(chunks).toString("latin1")));
    });
    socket.end(bytes);
  });
}

/** The first response in `text` (status 0 when there is none). */
export function parseResponse(text: string): Reply {
  const head = text.indexOf("\r\n\r\n");
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
  if (!m || head === -1) return { status: 0, headers: {}, body: text };
  const headers: Record<string, string> = {};
  for (const line of text.slice(0, head).split("\r\n").slice(1)) {
    const i = line.indexOf(":");
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  const length = Number(headers["content-length"] ?? Number.NaN);
  const rest = text.slice(head + 4);
  const body = Number.isFinite(length) ? Buffer.from(rest, "latin1").subarray(0, length) : Buffer.alloc(0);
  return { status: Number(m[1]), headers, body: body.toString("utf8") };
}
