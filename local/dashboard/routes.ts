/**
 * The dashboard's own GET routes, beside the API routes: the front page (`/`), a run's page
 * (`/dashboard/runs/{runId}`), each with `?partial=1` for live updates, and the event stream
 * (`/dashboard/events`). The server authenticates first; this only picks and renders.
 */
import { randomBytes } from "node:crypto";
import type { Run } from "../../src/host/domain.ts";
import type { DashboardData } from "../http/dashboard.ts";
import { pagePolicy, renderPage } from "./layout.ts";
import { renderOverviewMain } from "./overview.ts";
import { renderRunMain } from "./run-page.ts";

export type DashboardAnswer =
  | { kind: "html"; status: number; body: string; headers: Record<string, string> }
  | { kind: "events" }
  | { kind: "not-found"; message: string };

export interface DashboardSources {
  dashboard: () => Promise<DashboardData>;
  /** The run as the API shows it (redacted); absent: run pages are not served. */
  run?: (runId: string) => Promise<Run | undefined>;
  csrf: string;
  now: () => Date;
}

const RUN_PAGE = /^\/dashboard\/runs\/([^/]+)$/;

function page(
  title: string,
  main: string,
  partialUrl: string,
  csrf: string,
  partial: boolean,
): DashboardAnswer {
  if (partial) return { kind: "html", status: 200, body: main, headers: {} };
  const nonce = randomBytes(16).toString("base64");
  return {
    kind: "html",
    status: 200,
    body: renderPage({ title, main, nonce, csrf, partialUrl }),
    headers: { "content-security-policy": pagePolicy(nonce), "referrer-policy": "no-referrer" },
  };
}

/** The answer to a GET of `path`, or undefined when it is none of the dashboard's routes. */
export async function dashboardRoute(
  path: string,
  query: URLSearchParams,
  s: DashboardSources,
): Promise<DashboardAnswer | undefined> {
  const partial = query.get("partial") === "1";
  if (path === "/" || path === "/index.html") {
    const main = renderOverviewMain(await s.dashboard());
    return page("ecs-jobs (local)", main, "/?partial=1", s.csrf, partial);
  }
  if (path === "/dashboard/events") return { kind: "events" };
  const m = RUN_PAGE.exec(path);
  if (!m?.[1]) return undefined;
  let runId: string;
  try {
    runId = decodeURIComponent(m[1]);
  } catch {
    return { kind: "not-found", message: "no such run" };
  }
  const run = await s.run?.(runId);
  if (!run) return { kind: "not-found", message: `no run ${runId.slice(0, 80)}` };
  const href = `/dashboard/runs/${encodeURIComponent(run.runId)}`;
  return page(
    `${run.job} ${run.runId} — ecs-jobs`,
    renderRunMain(run, s.now()),
    `${href}?partial=1`,
    s.csrf,
    partial,
  );
}
