/**
 * One HTTP request with exactly these headers, Host and Origin included (fetch lets neither be set): what a
 * web page sends to a local server, by DNS rebinding or cross-site.
 */
import { request } from "node:http";

export interface RawReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function rawRequest(
  url: string,
  o: { method?: string; path?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawReply> {
  const { hostname, port } = new URL(url);
  const body = o.body ?? "";
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: hostname,
        port,
        method: o.method ?? "POST",
        path: o.path ?? "/",
        headers: { "content-length": String(Buffer.byteLength(body)), ...o.headers },
      },
      (res) => {
        let text = "";
        res.on("data", (c: Buffer) => {
          text += c.toString();
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}
