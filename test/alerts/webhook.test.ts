/**
 * alerts.webhook end to end: task events through the status handler, the alert POSTed to a receiver on
 * 127.0.0.1 (a node:http server this test starts), EventBridge mocked. The receiver verifies the signature
 * with node:crypto itself, as the README tells receivers to.
 */
import { createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { PutEventsCommand, type PutEventsCommandInput } from "@aws-sdk/client-eventbridge";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { forgetFailedReceivers } from "../../src/alerts/webhook.ts";
import type { WebhookDelivery } from "../../src/alerts/webhook-options.ts";
import { parseJobs } from "../../src/jobspec/parse.ts";
import {
  launchedRun,
  mocks,
  runDeps,
  runTaskEvents,
  sentAlerts,
  testJob,
  useRunMocks,
} from "../runs/harness.ts";
import { files } from "../support/spec.ts";
import { applyEvent } from "../support/status-path.ts";

useRunMocks();

const SECRET = "whsec-0123456789abcdef";
const PARAMETER = "/ecs-jobs/webhook";

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}
let server: Server;
let base = "";
const received: Received[] = [];
/** Status codes the receiver answers with, in order; 200 once they run out. */
let answers: number[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({
        path: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      });
      res.statusCode = answers.shift() ?? 200;
      res.end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  received.length = 0;
  answers = [];
  forgetFailedReceivers();
});

const hookJob = (path: string, secret = true) =>
  testJob(
    `alerts:\n  webhook:\n    url: ${base}${path}\n${secret ? `    secretParameter: ${PARAMETER}\n` : ""}`,
  );

function deps(
  path: string,
  o: { local?: boolean; secret?: boolean; readSecret?: (p: string) => Promise<string> } = {},
) {
  const d = runDeps([hookJob(path, o.secret ?? true)]);
  const deliveries: WebhookDelivery[] = [];
  const sleeps: number[] = [];
  d.sleep = async (ms) => {
    sleeps.push(ms);
  };
  d.webhooks = {
    allowLoopbackHttp: o.local ?? true,
    readSecret:
      o.readSecret ?? (async (p) => (p === PARAMETER ? SECRET : Promise.reject(new Error(`unknown ${p}`)))),
    onDelivery: (x) => deliveries.push(x),
  };
  return Object.assign(d, { deliveries, sleeps });
}

async function failRun(d: ReturnType<typeof deps>, id: string, times = 1) {
  const run = launchedRun("report", { runId: id });
  await d.ledger.create(run);
  const events = runTaskEvents(run, 0, { containers: [{ name: "app", exitCode: 1 }] });
  for (let i = 0; i < times; i++) for (const e of events) await applyEvent(d, e);
  return run;
}

const deadLetters = () => sentAlerts().filter((a) => a.detailType === "ECS Job Alert Delivery FAILED");

describe("alerts.webhook", () => {
  it("posts a signed, Slack-compatible alert once per run, however often the events come", async () => {
    const d = deps("/hooks/T000/B000/XXXX");
    const run = await failRun(d, "run-signed", 3);
    expect(received).toHaveLength(1);
    const [hit] = received;
    const body = JSON.parse(hit!.body) as { text: string; "detail-type": string; detail: { runId: string } };
    expect(hit!.path).toBe("/hooks/T000/B000/XXXX");
    expect(body.text.split("\n")[0]).toMatch(/^report run run-signed failed/);
    expect(body.text).toContain("Changed since last success: no earlier success on record");
    expect(body["detail-type"]).toBe("ECS Job Run FAILED");
    expect(body.detail.runId).toBe(run.runId);
    const timestamp = hit!.headers["x-ecs-jobs-timestamp"] as string;
    expect(timestamp).toBe(String(Math.floor(d.clock.now.getTime() / 1000)));
    const expected = createHmac("sha256", SECRET).update(`${timestamp}.${hit!.body}`).digest("hex");
    expect(hit!.headers["x-ecs-jobs-signature"]).toBe(`sha256=${expected}`);
    expect(hit!.headers["x-ecs-jobs-delivery"]).toBe(`${run.runId}/FAILED`);
    expect(hit!.headers["content-type"]).toBe("application/json");
    expect(d.deliveries).toMatchObject([
      { ok: true, attempts: 1, status: 200, signed: true, host: base.slice(7) },
    ]);
    expect(JSON.stringify(d.log.lines)).not.toContain(SECRET);
  });

  it("sends no signature headers without a secret parameter", async () => {
    const d = deps("/plain", { secret: false });
    await failRun(d, "run-unsigned");
    expect(received[0]?.headers["x-ecs-jobs-signature"]).toBeUndefined();
    expect(received[0]?.headers["x-ecs-jobs-timestamp"]).toBeUndefined();
  });

  it("retries 5xx and 429 with backoff, then succeeds", async () => {
    const d = deps("/flaky");
    answers = [503, 429];
    await failRun(d, "run-flaky");
    expect(received).toHaveLength(3);
    expect(d.sleeps).toEqual([500, 1500]);
    expect(d.deliveries).toMatchObject([{ ok: true, attempts: 3 }]);
    expect(deadLetters()).toEqual([]);
  });

  it("sends a refused delivery to the dead-letter event, with the host only, and never posts it again", async () => {
    const d = deps("/hooks/secret-path-token");
    answers = [404];
    await failRun(d, "run-404", 2);
    expect(received).toHaveLength(1);
    const [dead] = deadLetters();
    expect(dead?.detail).toMatchObject({
      channel: "webhook",
      job: "report",
      runId: "run-404",
      kind: "FAILED",
      ok: false,
      attempts: 1,
      status: 404,
      error: "HTTP 404",
      host: base.slice(7),
    });
    expect(JSON.stringify(dead)).not.toContain("secret-path-token");
    // The run's own alert went out on EventBridge regardless.
    expect(sentAlerts().filter((a) => a.detailType === "ECS Job Run FAILED")).toHaveLength(1);
  });

  it("gives up on a receiver that keeps failing after 3 attempts", async () => {
    const d = deps("/down");
    answers = [500, 500, 500];
    await failRun(d, "run-down");
    expect(received).toHaveLength(3);
    expect(deadLetters()[0]?.detail).toMatchObject({ attempts: 3, status: 500 });
  });

  it("deployed (no local mode), refuses plain http to loopback without sending anything", async () => {
    const d = deps("/local-only", { local: false });
    await failRun(d, "run-aws");
    expect(received).toEqual([]);
    expect(deadLetters()[0]?.detail).toMatchObject({
      attempts: 0,
      error: "plain http webhooks are posted in local mode only",
    });
  });

  it("dead-letters a delivery whose secret cannot be read, naming the parameter, not the value", async () => {
    const d = deps("/nosecret", {
      readSecret: async (p) => {
        throw new Error(`cannot read the webhook secret ${p}: no such SSM parameter`);
      },
    });
    await failRun(d, "run-nosecret");
    expect(received).toEqual([]);
    expect(deadLetters()[0]?.detail).toMatchObject({
      error: "cannot read the webhook secret /ecs-jobs/webhook: no such SSM parameter",
    });
  });

  it("releases the claim when the dead-letter event cannot be put either, so a redelivery posts again", async () => {
    const d = deps("/dlq-down");
    answers = [400, 200];
    let refused = 0;
    mocks.eventbridge.on(PutEventsCommand).callsFake((input: PutEventsCommandInput) => {
      if (input.Entries?.[0]?.DetailType === "ECS Job Alert Delivery FAILED" && refused++ === 0)
        throw Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" });
      return { FailedEntryCount: 0, Entries: [{ EventId: "event-1" }] };
    });
    const run = launchedRun("report", { runId: "run-dlq" });
    await d.ledger.create(run);
    const events = runTaskEvents(run, 0, { containers: [{ name: "app", exitCode: 1 }] });
    let threw = false;
    for (const e of events) {
      try {
        await applyEvent(d, e);
      } catch {
        threw = true;
      }
    }
    expect(threw).toBe(true);
    for (const e of events) await applyEvent(d, e);
    expect(received.map((r) => r.headers["x-ecs-jobs-delivery"])).toEqual([
      "run-dlq/FAILED",
      "run-dlq/FAILED",
    ]);
    expect(d.deliveries.map((x) => x.ok)).toEqual([false, true]);
    expect(refused).toBe(1);
    expect(sentAlerts().filter((a) => a.detailType === "ECS Job Run FAILED")).toHaveLength(1);
  });
});

describe("alerts.webhook.url in a spec", () => {
  const issues = (url: string) =>
    parseJobs(
      files({
        report: `task:\n  taskDefinition: report:7\nalerts:\n  webhook:\n    url: "${url}"\n    secretParameter: /ecs-jobs/webhook\n`,
      }),
    ).issues.map((i) => `${i.path}: ${i.message}`);

  it("accepts https, and plain http to loopback addresses only", () => {
    expect(issues("https://hooks.slack.com/services/T/B/X")).toEqual([]);
    for (const ok of ["http://127.0.0.1:8080/x", "http://localhost/x", "http://[::1]:9/x"])
      expect(issues(ok)).toEqual([]);
    expect(issues("http://hooks.example.com/x")).toEqual([
      "alerts.webhook.url: expected https:// (plain http only to 127.0.0.1, ::1 or localhost)",
    ]);
    expect(issues("ftp://example.com/x")).toEqual(["alerts.webhook.url: expected an https:// URL, got ftp:"]);
    expect(issues("https://user:pw@example.com/x")).toEqual([
      "alerts.webhook.url: credentials in the URL are not accepted; use secretParameter to sign",
    ]);
  });
});
