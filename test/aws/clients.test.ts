/**
 * createClients with a deferred client (`{ load }`, a dynamic import in the Lambda bundles): the package is
 * loaded on the first `send`, not when the clients or the getter are made; once; and again after a load
 * that failed.
 */
import { describe, expect, it } from "vitest";
import { createClients, RETRY } from "../../src/aws/clients.ts";

/** A stand-in SDK client class that records what it was built with and what it was sent. */
function fakeClientClass() {
  const built: Record<string, unknown>[] = [];
  const sent: unknown[] = [];
  class FakeClient {
    constructor(config: Record<string, unknown>) {
      built.push(config);
    }
    async send(command: unknown) {
      sent.push(command);
      return { ok: sent.length };
    }
  }
  return { FakeClient, built, sent };
}

describe("createClients with a deferred client", () => {
  it("loads the package on the first send only, builds the client once with the shared config", async () => {
    const { FakeClient, built, sent } = fakeClientClass();
    let loads = 0;
    const load = async () => {
      loads++;
      return FakeClient as never;
    };
    const clients = createClients({ sns: { load } }, { region: "eu-west-1" });
    const sns = clients.sns;
    expect(loads).toBe(0);
    await expect(sns.send("first" as never)).resolves.toEqual({ ok: 1 });
    await expect(clients.sns.send("second" as never)).resolves.toEqual({ ok: 2 });
    expect(loads).toBe(1);
    expect(built).toEqual([{ region: "eu-west-1", retryMode: RETRY.mode, maxAttempts: RETRY.maxAttempts }]);
    expect(sent).toEqual(["first", "second"]);
  });

  it("fails the send whose load failed and loads again on the next one", async () => {
    const { FakeClient, built } = fakeClientClass();
    let loads = 0;
    const clients = createClients({
      logs: {
        load: async () => {
          loads++;
          if (loads === 1) throw new Error("Cannot find module './client-cloudwatch-logs.mjs'");
          return FakeClient as never;
        },
      },
    });
    await expect(clients.logs.send("a" as never)).rejects.toThrow(/Cannot find module/);
    await expect(clients.logs.send("b" as never)).resolves.toEqual({ ok: 1 });
    expect(loads).toBe(2);
    expect(built).toHaveLength(1);
  });
});
