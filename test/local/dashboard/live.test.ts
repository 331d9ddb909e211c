/** Live updates: a `change` event when what the pages show changes, none while it does not. */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createChangeFeed, fingerprintOf } from "../../../local/dashboard/live.ts";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function serve(fingerprint: () => Promise<string>) {
  const feed = createChangeFeed({ fingerprint, pollMs: 5 });
  const server = createServer((_req, res) => feed.attach(res));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  closers.push(async () => {
    feed.close();
    await new Promise((r) => server.close(r));
  });
  const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = "";
  /** Reads the stream until `pattern` shows up in it; returns everything read so far. */
  const until = async (pattern: RegExp) => {
    while (!pattern.test(text)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`stream ended before ${pattern}; got ${JSON.stringify(text)}`);
      text += decoder.decode(value);
    }
    return text;
  };
  return { feed, res, until, reader };
}

describe("the dashboard's event stream", () => {
  it("sends a change event when the fingerprint changes, and only then", async () => {
    let state = "a";
    let reads = 0;
    let readAfterChange: () => void = () => {};
    const settled = new Promise<void>((r) => {
      readAfterChange = r;
    });
    const { feed, res, until, reader } = await serve(async () => {
      reads++;
      // Several reads of the new state after the change: it is reported once, not at each read.
      if (state === "b" && reads > 20) readAfterChange();
      return fingerprintOf({ state });
    });
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const start = await until(/: connected\n\n/);
    expect(start).not.toContain("event: change");
    state = "b";
    reads = 0;
    await settled;
    // Everything it sent, up to its end.
    feed.close();
    let text = await until(/: connected/);
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    expect(text.match(/event: change/g)).toHaveLength(1);
  });

  it("ends the streams when it closes (the server's close does not wait for them)", async () => {
    const { feed, until, reader } = await serve(async () => "same");
    await until(/: connected/);
    expect(feed.listeners).toBe(1);
    feed.close();
    for (;;) if ((await reader.read()).done) break;
    expect(feed.listeners).toBe(0);
  });
});
