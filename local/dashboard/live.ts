/**
 * Live updates for open dashboard pages, as Server-Sent Events: while at least one page listens, the
 * dashboard's data is read every `pollMs` and a `change` event goes out when its fingerprint differs (a run
 * moved, a job was paused, an alert came). The page then re-fetches its own HTML. Reading the ledger here,
 * in one loop for all pages, keeps the stack's handlers free of any hook for the dashboard.
 */
import { createHash } from "node:crypto";
import type { ServerResponse } from "node:http";

export interface ChangeFeed {
  /** Streams events to `res` until the client goes or the feed closes. */
  attach(res: ServerResponse): void;
  /** Ends every stream (the server's close would otherwise wait for them). */
  close(): void;
  readonly listeners: number;
}

/** A digest of what the pages show (the caller leaves out the time it was read, which always differs). */
export const fingerprintOf = (data: unknown): string =>
  createHash("sha256").update(JSON.stringify(data)).digest("base64url");

export function createChangeFeed(o: {
  fingerprint: () => Promise<string>;
  pollMs?: number;
  onError?: (error: unknown) => void;
}): ChangeFeed {
  const pollMs = o.pollMs ?? 500;
  const clients = new Set<ServerResponse>();
  let looping = false;
  let closed = false;
  let wake: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  let seq = 0;

  /** One loop for all listeners, from the first one's arrival until the last one leaves. */
  const loop = async () => {
    looping = true;
    let last: string | undefined;
    while (clients.size > 0 && !closed) {
      try {
        const now = await o.fingerprint();
        if (last !== undefined && now !== last) {
          seq++;
          for (const res of clients) res.write(`event: change\nid: ${seq}\ndata: ${seq}\n\n`);
        }
        last = now;
      } catch (error) {
        o.onError?.(error);
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, pollMs);
      });
    }
    looping = false;
  };

  return {
    attach(res) {
      res.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-store",
        connection: "keep-alive",
        "x-content-type-options": "nosniff",
      });
      // retry: how soon a browser reconnects after the stack restarts.
      res.write("retry: 2000\n: connected\n\n");
      clients.add(res);
      res.on("close", () => clients.delete(res));
      if (!looping && !closed) void loop();
    },
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      wake?.();
      for (const res of clients) res.end();
      clients.clear();
    },
    get listeners() {
      return clients.size;
    },
  };
}
