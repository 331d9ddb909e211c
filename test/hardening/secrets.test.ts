/**
 * Secrets never logged: an environment override's value (TOKEN here) reaches the task and nothing else —
 * not a log line of the stack (handlers, HTTP server, emulator, at debug level), not an alert (EventBridge
 * detail or SNS message, GET /alerts), not the dashboard. Its name may appear; its value may not.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalAlert } from "../../local/aws/alerts.ts";
import { api, openDashboard, poll, startRun, waitForRun } from "../local/support/stack.ts";
import { type HardeningStack, startHardeningStack } from "./support-http-stack.ts";

const SECRET = "s3cr3t-value";

describe("secrets in overrides", () => {
  let h: HardeningStack;

  beforeAll(async () => {
    h = await startHardeningStack();
  });

  afterAll(async () => {
    await h?.close();
  });

  it("reach the task but no log line, alert or page", async () => {
    const a = api(h.stack);
    const runId = await startRun(a, "failing", { overrides: { environment: { TOKEN: SECRET } } });
    const run = await waitForRun(a, runId);
    expect(run.status).toBe("FAILED");
    // The job alerts on FAILED on both channels: wait for the EventBridge event and the SNS message.
    const alerts = await poll(
      async () =>
        (await a.get<{ alerts: LocalAlert[] }>("/alerts")).body.alerts.filter((x) => x.runId === runId),
      (list) => list.length >= 2,
      { what: `the alerts of run ${runId}` },
    );
    expect(alerts.map((x) => x.channel).sort()).toEqual(["eventbridge", "sns"]);
    await h.stack.idle();

    // The value did reach ECS: without it, the checks below would prove nothing.
    const task = h.stack.emulator.tasks().find((t) => t.startedBy?.endsWith(runId));
    const env = task?.overrides?.containerOverrides?.find((c) => c.name === "app")?.environment;
    expect(env).toContainEqual({ name: "TOKEN", value: SECRET });

    // The log did capture the launch, by name.
    const log = h.logs.join("");
    expect(log).toContain("overrides.environment.TOKEN");
    expect(log).toContain(runId);
    expect(log).not.toContain(SECRET);

    const raw = await fetch(`${h.stack.httpUrl}/alerts`, {
      headers: { authorization: `Bearer ${h.stack.token}` },
    });
    expect(await raw.text()).not.toContain(SECRET);
    expect(JSON.stringify(h.stack.alerts())).not.toContain(SECRET);

    const page = await openDashboard(h.stack.dashboardUrl);
    expect(page.status).toBe(200);
    expect(await page.text()).not.toContain(SECRET);

    // The run keeps the value (a retry launches the same thing) but shows only the name.
    for (const path of [`/runs/${runId}`, "/jobs/failing/runs", "/jobs/failing"]) {
      const shown = await fetch(`${h.stack.httpUrl}${path}`, {
        headers: { authorization: `Bearer ${h.stack.token}` },
      });
      const text = await shown.text();
      expect(shown.status, path).toBe(200);
      expect(text, path).toContain("TOKEN");
      expect(text, path).not.toContain(SECRET);
    }
  });

  it("in a command override (`--token VALUE`) reach the task, but no log line, page or run listing", async () => {
    const a = api(h.stack);
    const COMMAND_SECRET = "cmd-s3cr3t-value";
    const runId = await startRun(a, "open", {
      overrides: { command: ["node", "--token", COMMAND_SECRET, `--password=${COMMAND_SECRET}`] },
    });
    await waitForRun(a, runId);
    await h.stack.idle();
    const task = h.stack.emulator.tasks().find((t) => t.startedBy?.endsWith(runId));
    expect(task?.overrides?.containerOverrides?.find((c) => c.name === "app")?.command).toContain(
      COMMAND_SECRET,
    );
    for (const path of [`/runs/${runId}`, "/jobs/open/runs", "/jobs/open"]) {
      const text = await (
        await fetch(`${h.stack.httpUrl}${path}`, { headers: { authorization: `Bearer ${h.stack.token}` } })
      ).text();
      expect(text, path).toContain("--token");
      expect(text, path).not.toContain(COMMAND_SECRET);
    }
    expect(await (await openDashboard(h.stack.dashboardUrl)).text()).not.toContain(COMMAND_SECRET);
    expect(h.logs.join("")).not.toContain(COMMAND_SECRET);
  });

  it("stay out of the log when the request is refused", async () => {
    const a = api(h.stack);
    const before = h.logs.length;
    // ALLOWED is not in the failing job's allowlist: a 400 that names the field, never its value.
    const res = await a.post<{ error: { field: string; message: string } }>("/jobs/failing/runs", {
      overrides: { environment: { TOKEN: SECRET, ALLOWED: SECRET } },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.field).toBe("overrides.environment.ALLOWED");
    expect(JSON.stringify(res.body)).not.toContain(SECRET);
    const lines = h.logs.slice(before).join("");
    expect(lines).toContain("request refused");
    expect(lines).not.toContain(SECRET);
  });
});
