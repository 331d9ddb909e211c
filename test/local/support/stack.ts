/** Helpers for the local stack's integration tests: temp job folders, the HTTP API, polling. */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Run } from "../../../src/runs/model.ts";

/** A temp folder holding `jobs/` with the given specs (name → YAML) and room for `.ecs-jobs/`. */
export function tempProject(jobs: Record<string, string>): { dir: string; jobsDir: string; dataDir: string } {
  const dir = mkdtempSync(join(tmpdir(), "ecs-jobs-local-"));
  const jobsDir = join(dir, "jobs");
  mkdirSync(jobsDir);
  for (const [name, text] of Object.entries(jobs)) writeFileSync(join(jobsDir, `${name}.yml`), text);
  return { dir, jobsDir, dataDir: join(dir, ".ecs-jobs") };
}

/** Fargate in a cluster of its own, quick locally. */
export const fargate = (extra: string, local: string): string => `${extra}
task:
  cluster: local-test
  taskDefinition: app
  launchType: FARGATE
  network: { subnets: [subnet-0abc] }
local: ${local}
`;

/** Emulator lifecycle steps shortened so that a task takes a few hundred milliseconds end to end. */
export const FAST_PHASES = {
  provisioning: 30,
  pending: 50,
  activating: 20,
  deactivating: 20,
  stopping: 20,
  deprovisioning: 30,
};

export interface Api {
  get<T = unknown>(path: string): Promise<{ status: number; body: T }>;
  post<T = unknown>(path: string, body?: unknown): Promise<{ status: number; body: T }>;
}

export function api(stack: { httpUrl: string; token: string }): Api {
  const call = async <T>(method: string, path: string, body?: unknown) => {
    const res = await fetch(`${stack.httpUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${stack.token}`, "content-type": "application/json" },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  return { get: (path) => call("GET", path), post: (path, body) => call("POST", path, body ?? {}) };
}

/**
 * Calls `probe` until `done` holds for its answer; fails with the last answer after `timeoutMs`, a hang
 * guard (2 minutes: a machine shared with other work can be many times slower than an idle one).
 */
export async function poll<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  { timeoutMs = 120_000, everyMs = 50, what = "condition" } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await probe();
    if (done(last)) return last;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last, null, 2)}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export const FINAL = new Set(["SUCCEEDED", "FAILED", "TIMED_OUT", "MISSED", "SKIPPED"]);

/** The run, once it reached a final status (or `until`). */
export const waitForRun = (
  a: Api,
  runId: string,
  until: (run: Run) => boolean = (r) => FINAL.has(r.status),
) =>
  poll(
    async () => (await a.get<Run>(`/runs/${runId}`)).body,
    (run) => Boolean(run && until(run)),
    { what: `run ${runId}` },
  );

/** Starts a run over HTTP and returns its id. */
export async function startRun(a: Api, job: string, body: unknown = {}): Promise<string> {
  const res = await a.post<{ runId?: string; run?: { runId: string } }>(`/jobs/${job}/runs`, body);
  if (res.status !== 202)
    throw new Error(`POST /jobs/${job}/runs answered ${res.status}: ${JSON.stringify(res.body)}`);
  const runId = res.body.runId ?? res.body.run?.runId;
  if (!runId) throw new Error(`POST /jobs/${job}/runs answered no run id: ${JSON.stringify(res.body)}`);
  return runId;
}

/**
 * The dashboard as a browser opens the printed link: `GET /?token=…` answers 303 with the session cookie,
 * and the page is fetched with that cookie.
 */
export async function openDashboard(dashboardUrl: string): Promise<Response> {
  const exchange = await fetch(dashboardUrl, { redirect: "manual" });
  if (exchange.status !== 303) return exchange;
  const cookie = (exchange.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  return fetch(new URL(exchange.headers.get("location") ?? "/", dashboardUrl), { headers: { cookie } });
}
