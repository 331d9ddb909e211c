/**
 * The local dashboard in a real browser (issue 16): Debian's chromium driven by playwright-core (no browser
 * download). Opens the printed link, checks the token is exchanged for an HttpOnly cookie and leaves the
 * URL, starts a run with an allowed override, watches it change state live, stops it, pauses and resumes
 * the job, reads a run's page, and shows that a page on another origin cannot act. Screenshots go to
 * test/output/ (git-ignored) for people to look at.
 *
 * Skipped only when no chromium is installed (.ci/run installs it; README "Tests" says how).
 */
import { existsSync, mkdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalStack, startLocalStack } from "../../local/stack.ts";
import type { Run } from "../../src/runs/model.ts";
import {
  type Api,
  api,
  FAST_PHASES,
  fargate,
  startRun,
  tempProject,
  waitForRun,
} from "../local/support/stack.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const present = existsSync(CHROMIUM);
if (!present)
  console.warn(
    `dashboard browser test SKIPPED: no chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`,
  );

const OUTPUT = join(import.meta.dirname, "..", "output");
const SECRET = "s3cr3t-value-never-shown";

const JOBS = {
  report: fargate(
    `description: Nightly sales report
schedule: { expression: "cron(0 3 * * ? *)", timezone: Europe/Paris }
http: { allowOverrides: [environment.REPORT_DATE, environment.API_KEY, count] }`,
    "{ outcome: succeed, durationSeconds: 600 }",
  ),
  quick: fargate("description: Cache warm-up\nhttp: true", "{ outcome: succeed, durationSeconds: 0.2 }"),
  flaky: fargate(
    'description: Partner feed import\nschedule: { expression: "rate(1 hour)" }\nhttp: true',
    '{ outcome: "exit:3", durationSeconds: 0.1 }',
  ),
};

describe.skipIf(!present)("the dashboard in chromium", () => {
  const project = tempProject(JOBS);
  let stack: LocalStack;
  let a: Api;
  let browser: Browser;
  let page: Page;
  let evil: Server;
  let quickRun: string;

  beforeAll(async () => {
    mkdirSync(OUTPUT, { recursive: true });
    stack = await startLocalStack({
      jobsDir: project.jobsDir,
      dataDir: project.dataDir,
      port: 0,
      log: () => {},
      phaseMs: FAST_PHASES,
      schedulerPollMs: 25,
      retryDelaysMs: [50, 100],
    });
    a = api(stack);
    // Some history for the strips and charts: successes and failures.
    for (const job of ["quick", "flaky", "quick", "flaky", "quick"]) {
      const id = await startRun(a, job);
      const run = await waitForRun(a, id);
      if (job === "quick") quickRun = run.runId;
    }
    browser = await chromium.launch({ executablePath: CHROMIUM });
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.setDefaultTimeout(120_000);
    // A page on another origin of the same host: SameSite does not tell it apart (ports are one site).
    evil = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<!doctype html><title>elsewhere</title><p>another page</p>");
    });
    await new Promise<void>((r) => evil.listen(0, "127.0.0.1", r));
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => evil?.close(r));
    await stack?.close();
    project && (await import("node:fs")).rmSync(project.dir, { recursive: true, force: true });
  });

  it("exchanges the token for an HttpOnly, SameSite=Strict cookie, and the token leaves the URL", async () => {
    await page.goto(stack.dashboardUrl);
    expect(page.url()).toBe(`${stack.httpUrl}/`);
    const cookies = await page.context().cookies();
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ httpOnly: true, sameSite: "Strict" });
    expect(await page.evaluate("document.cookie")).toBe("");
    expect(await page.content()).not.toContain(stack.token);
    await page.locator("#job-quick .strip .cell").first().waitFor();
    expect(await page.locator("#job-quick .strip .cell").count()).toBe(3);
    expect(await page.locator('#job-flaky .strip .cell[data-status="FAILED"]').count()).toBe(2);
  });

  it("Run now (with an allowed override) shows the run live, Stop makes it CANCELLED, without a reload", async () => {
    // Page code as strings: this project's TypeScript has no DOM types.
    await page.evaluate("window.notReloaded = true");
    const card = page.locator("#job-report");
    await card.locator("summary").click();
    await card.getByLabel(/environment\.REPORT_DATE/).fill("2026-01-31");
    await card.getByLabel(/environment\.API_KEY/).fill(SECRET);
    await card.getByRole("button", { name: "Run now" }).click();
    await card.locator(".msg", { hasText: /Started run/ }).waitFor();
    await card.locator(".inflight .tag", { hasText: "RUNNING" }).waitFor();
    const runId = (await card.locator(".inflight a").first().textContent()) ?? "";
    const started = (await a.get<Run>(`/runs/${runId}`)).body;
    // The overrides reached the run (the API shows their names, never their values).
    const containers = Object.values(started.overrides?.containers ?? {});
    expect(containers.map((c) => c.environment)).toEqual([
      { REPORT_DATE: "(redacted)", API_KEY: "(redacted)" },
    ]);

    await card.locator(".inflight").getByRole("button", { name: "Stop" }).click();
    await card.locator(".facts .tag", { hasText: "CANCELLED" }).waitFor();
    await card.locator('.strip .cell[data-status="CANCELLED"]').waitFor();
    expect((await a.get<Run>(`/runs/${runId}`)).body.status).toBe("CANCELLED");
    expect(await page.evaluate("window.notReloaded")).toBe(true);
    // The override fields kept what was typed through the live updates.
    expect(await card.getByLabel(/environment\.REPORT_DATE/).inputValue()).toBe("2026-01-31");
    expect(await page.content()).not.toContain(SECRET);
  });

  it("pauses and resumes a job", async () => {
    const card = page.locator("#job-report");
    await card.getByRole("button", { name: "Pause" }).click();
    await card.locator('[data-state="PAUSED"]').waitFor();
    expect((await a.get<{ state: string }>("/jobs/report")).body.state).toBe("PAUSED");
    await card.getByRole("button", { name: "Resume" }).click();
    await card.locator('[data-state="ENABLED"]').waitFor();
    expect((await a.get<{ state: string }>("/jobs/report")).body.state).toBe("ENABLED");
    await page.screenshot({ path: join(OUTPUT, "dashboard.png"), fullPage: true });
  });

  it("a run's page shows its task timeline, exit codes, cost (an estimate) and log lines", async () => {
    await page.locator("#job-quick .strip .cell").last().click();
    await page.waitForURL(/\/dashboard\/runs\//);
    const main = page.locator("main");
    await main.locator("code", { hasText: quickRun }).first().waitFor();
    expect(await main.locator(".phases .phase").allTextContents()).toEqual([
      "PROVISIONING",
      "PENDING",
      "RUNNING",
      "STOPPED",
    ]);
    expect(await main.locator("td.num").first().textContent()).toBe("0");
    await main.getByText("estimate", { exact: true }).waitFor();
    await page.locator("#log-lines", { hasText: /\S+\s*\S/ }).waitFor();
    expect(await page.locator("#log-lines").textContent()).not.toBe("loading…");
    await page.screenshot({ path: join(OUTPUT, "dashboard-run.png"), fullPage: true });
  });

  it("refuses actions from a page on another origin, whatever it sends", async () => {
    const other = await page.context().newPage();
    await other.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`);
    const target = JSON.stringify(`${stack.httpUrl}/jobs/report/pause`);
    const statuses = await other.evaluate(`(async () => {
      const tries = [
        // Simple requests (no preflight): the cookie goes with them, the Origin check refuses them.
        { method: "POST", mode: "no-cors", credentials: "include", headers: { "content-type": "text/plain" }, body: "{}" },
        { method: "POST", mode: "no-cors", credentials: "include", body: "" },
        // What the dashboard's own script sends: needs a preflight, which is never granted.
        { method: "POST", credentials: "include", headers: { "content-type": "application/json", "x-csrf-token": "guess" }, body: "{}" },
      ];
      const out = [];
      for (const init of tries) {
        try {
          out.push((await fetch(${target}, init)).type);
        } catch (e) {
          out.push("refused: " + e.name);
        }
      }
      return out;
    })()`);
    expect(statuses).toEqual(["opaque", "opaque", "refused: TypeError"]);
    // A form posted from there lands on the refusal.
    await other.evaluate(`(() => {
      const form = document.createElement("form");
      form.method = "POST";
      form.action = ${JSON.stringify(`${stack.httpUrl}/jobs/quick/runs`)};
      form.enctype = "text/plain";
      document.body.append(form);
      form.submit();
    })()`);
    await other.waitForURL(/\/jobs\/quick\/runs$/);
    expect(await other.locator("body").textContent()).toMatch(/"code":"Forbidden"/);
    await other.close();
    expect((await a.get<{ state: string }>("/jobs/report")).body.state).toBe("ENABLED");
    const runs = (await a.get<{ runs: Run[] }>("/jobs/quick/runs?limit=50")).body.runs;
    expect(runs).toHaveLength(3);
  });
});
