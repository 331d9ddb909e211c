/**
 * Alert webhooks in local mode: a failing job of the local stack posts its alert to a receiver on
 * 127.0.0.1 (plain http, which only local mode accepts), signed with the stack's webhook secret, once per
 * streak with notify: change; the dashboard lists the delivery.
 */
import { createHmac } from "node:crypto";
import { rmSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalStack, startLocalStack } from "../../local/stack.ts";
import { api, FAST_PHASES, fargate, poll, startRun, tempProject, waitForRun } from "./support/stack.ts";

const SECRET = "local-webhook-secret";
const received: { headers: IncomingHttpHeaders; body: string }[] = [];
let receiver: Server;
let stack: LocalStack;
let project: ReturnType<typeof tempProject>;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  project = tempProject({
    broken: fargate(
      `http: true\nalerts:\n  notify: change\n  webhook: { url: "${url}", secretParameter: /ecs-jobs/webhook }`,
      "{ outcome: exit:3, durationSeconds: 0.1 }",
    ),
  });
  stack = await startLocalStack({
    jobsDir: project.jobsDir,
    dataDir: project.dataDir,
    port: 0,
    token: "fixed-token-0123456789",
    log: () => {},
    phaseMs: FAST_PHASES,
    webhookSecret: SECRET,
    discoveryFile: false,
  });
});

afterAll(async () => {
  await stack?.close();
  await new Promise<void>((r) => receiver.close(() => r()));
  rmSync(project.dir, { recursive: true, force: true });
});

describe("local mode webhooks", () => {
  it("posts the first failure of a streak, signed, and lists the delivery on the dashboard", async () => {
    const a = api(stack);
    const first = await waitForRun(a, await startRun(a, "broken"));
    expect(first.status).toBe("FAILED");
    await poll(
      async () => stack.deliveries(),
      (d) => d.length > 0,
      { what: "a webhook delivery" },
    );
    const second = await waitForRun(a, await startRun(a, "broken"));
    expect(second.status).toBe("FAILED");
    await stack.idle();

    expect(received).toHaveLength(1);
    const [hit] = received;
    const body = JSON.parse(hit!.body) as { detail: { runId: string }; text: string };
    expect(body.detail.runId).toBe(first.runId);
    const timestamp = hit!.headers["x-ecs-jobs-timestamp"] as string;
    const expected = createHmac("sha256", SECRET).update(`${timestamp}.${hit!.body}`).digest("hex");
    expect(hit!.headers["x-ecs-jobs-signature"]).toBe(`sha256=${expected}`);
    expect(stack.deliveries()).toMatchObject([{ ok: true, runId: first.runId, signed: true, status: 200 }]);

    const page = await fetch(`${stack.httpUrl}/?partial=1`, {
      headers: { authorization: `Bearer ${stack.token}` },
    });
    const html = await page.text();
    expect(html).toContain("<h2>Webhook deliveries</h2>");
    expect(html).toContain(
      `${first.runId} · 127.0.0.1:${(receiver.address() as AddressInfo).port} · signed · HTTP 200`,
    );
    expect(html).not.toContain(SECRET);
  });
});
