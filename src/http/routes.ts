/** The handlers of SPEC section 3's routes; each answers or throws an EcsJobsError (mapped in errors.ts). */
import { redactSecrets } from "../alerts/redact.ts";
import type { Deps } from "../app/deps.ts";
import { launchRun } from "../app/launch-run.ts";
import { type RunEndDeps, settleLaunched } from "../app/on-run-final.ts";
import type { PausedJobsDeps, ScheduleControlDeps } from "../app/pause.ts";
import { checkStopReason, type StopDeps, stopRun } from "../app/stop-run.ts";
import { classifyAwsError, isTransient } from "../aws/ecs-call.ts";
import type { Catalog } from "../catalog/catalog.ts";
import { summarize, upcoming } from "../catalog/summary.ts";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../errors.ts";
import { JOB_NAME_PATTERN } from "../jobspec/patterns.ts";
import type { Job } from "../jobspec/schema.ts";
import type { RunLedger } from "../ledger/ledger.ts";
import { formatLogLine, type LogDeps, lastRunLines } from "../logs/run-logs.ts";
import { RUN_ID_PATTERN } from "../runs/run-id.ts";
import { formatInZone } from "../schedule/zone.ts";
import { jsonBodyOf } from "./body.ts";
import { jsonResponse, NotImplementedError } from "./error-response.ts";
import { allowlistOf, asksOf, runOverridesFor } from "./overrides.ts";
import { parseRunRequest } from "./run-request.ts";
import type { HttpOptions, HttpRequest, HttpResponse } from "./types.ts";

export const DEFAULT_LIMIT = 20;

/**
 * How long POST /jobs/{name}/runs spends launching before it answers 202 (at least the first batch is sent):
 * a fan-out of 1,000 tasks is 100 RunTask calls, and ECS sustains 20 a second at best (Fargate RunTask
 * throttling), while API Gateway gives the function 30 s. The sweeper continues the rest of the launch.
 */
export const HTTP_LAUNCH_BUDGET_MS = 3_000;
export const MAX_LIMIT = 100;

/**
 * GET /jobs and GET /jobs/{name}: the catalogue, the recent runs, the clock, and the jobs' schedules (paused
 * or not, where a rate counts from) through HttpOptions, which reach Scheduler.
 */
export type JobViewDeps = PausedJobsDeps & {
  ledger: Pick<RunLedger, "listByJob">;
  now: () => Date;
  scheduleAnchor?: Deps["scheduleAnchor"];
};

/** Everything the routes touch together: what handleHttp is given. */
export type HttpDeps = JobViewDeps & RunEndDeps & ScheduleControlDeps & LogDeps & StopDeps;

/** The job named in a path segment; anything that is not a job name (`..`, `%2F` …) is simply not found. */
export function jobOf(deps: { catalog: Catalog }, name: string): Job {
  const job = JOB_NAME_PATTERN.test(name) ? deps.catalog.get(name) : undefined;
  if (!job) throw new NotFoundError(`job "${name.slice(0, 80)}"`);
  return job;
}

function limitOf(query: HttpRequest["query"]): number {
  const raw = query.limit;
  if (raw === undefined || raw === "") return DEFAULT_LIMIT;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > MAX_LIMIT)
    throw new ValidationError(`limit: expected an integer 1..${MAX_LIMIT}`, { field: "limit" });
  return n;
}

/** The jobs paused where they run; none known without the option (a build with no Scheduler client). */
const pausedOf = async (deps: PausedJobsDeps, options: HttpOptions): Promise<ReadonlySet<string>> =>
  options.pausedJobs ? options.pausedJobs(deps) : new Set();

/** Where each job's rate schedule counts from: as deployed when that can be asked, else the local stack's. */
async function anchorsOf(deps: JobViewDeps, options: HttpOptions, jobs: readonly Job[]) {
  const deployed = options.deployedSchedules ? await options.deployedSchedules(deps, jobs) : undefined;
  return (j: Job) => deployed?.get(j.name) ?? deps.scheduleAnchor?.(j.name);
}

export async function listJobs(deps: JobViewDeps, options: HttpOptions): Promise<HttpResponse> {
  const now = deps.now();
  const enabled = deps.catalog.jobs.filter((j) => j.spec.schedule?.enabled);
  const [paused, anchor] = await Promise.all([pausedOf(deps, options), anchorsOf(deps, options, enabled)]);
  return jsonResponse(200, {
    jobs: deps.catalog.jobs.map((j) => summarize(j, now, 1, paused.has(j.name), anchor(j))),
  });
}

export async function getJob(deps: JobViewDeps, name: string, options: HttpOptions): Promise<HttpResponse> {
  const job = jobOf(deps, name);
  const now = deps.now();
  const enabled = job.spec.schedule?.enabled === true;
  const [{ runs }, paused, anchorOf] = await Promise.all([
    deps.ledger.listByJob(job.name, { limit: 5 }),
    enabled ? pausedOf(deps, options) : new Set<string>(),
    anchorsOf(deps, options, enabled ? [job] : []),
  ]);
  const zone = job.spec.schedule?.timezone ?? "UTC";
  const { local: _local, ...spec } = job.spec;
  const anchor = anchorOf(job);
  const summary = summarize(job, now, 1, paused.has(job.name), anchor);
  return jsonResponse(200, {
    ...summary,
    spec,
    nextFireTimes:
      summary.state === "ENABLED" ? upcoming(job, now, 5, anchor).map((d) => formatInZone(d, zone)) : [],
    runs: redactSecrets(runs),
  });
}

export async function listRuns(
  deps: { catalog: Catalog; ledger: Pick<RunLedger, "listByJob"> },
  name: string,
  req: HttpRequest,
): Promise<HttpResponse> {
  const job = jobOf(deps, name);
  const limit = limitOf(req.query);
  const next = req.query.next;
  try {
    const page = await deps.ledger.listByJob(job.name, { limit, ...(next && { next }) });
    return jsonResponse(200, redactSecrets(page));
  } catch (error) {
    // `next` is the caller's: a token the store cannot use as a start key (made up, another job's, numbers
    // the document client refuses to marshal) is bad input, not the 502/500 a refused call otherwise is.
    // An outage (throttled, 5xx, network) stays a 503.
    if (next && !isTransient(classifyAwsError(error)))
      throw new ValidationError("next: not a page token this API issued for this job", { field: "next" });
    throw error;
  }
}

export async function getRun(deps: { ledger: Pick<RunLedger, "get"> }, runId: string): Promise<HttpResponse> {
  const run = RUN_ID_PATTERN.test(runId) ? await deps.ledger.get(runId) : undefined;
  if (!run) throw new NotFoundError(`run "${runId.slice(0, 80)}"`);
  return jsonResponse(200, redactSecrets(run));
}

export const DEFAULT_LOG_LINES = 100;
export const MAX_LOG_LINES = 1_000;

/** GET /runs/{runId}/logs?limit=N[&task=ID][&container=NAME]: the run's last N log lines, oldest first. */
export async function getRunLogs(
  deps: LogDeps & { catalog: Catalog; ledger: Pick<RunLedger, "get"> },
  runId: string,
  req: HttpRequest,
): Promise<HttpResponse> {
  const raw = req.query.limit;
  const limit = raw === undefined || raw === "" ? DEFAULT_LOG_LINES : Number(raw);
  if (raw !== undefined && raw !== "" && (!/^\d+$/.test(raw) || limit < 1 || limit > MAX_LOG_LINES))
    throw new ValidationError(`limit: expected an integer 1..${MAX_LOG_LINES}`, { field: "limit" });
  const run = RUN_ID_PATTERN.test(runId) ? await deps.ledger.get(runId) : undefined;
  if (!run) throw new NotFoundError(`run "${runId.slice(0, 80)}"`);
  const job = deps.catalog.get(run.job);
  if (!job) throw new NotFoundError(`job ${run.job} (of run ${run.runId}) in this deployment`);
  const { task, container } = req.query;
  const { lines, notices } = await lastRunLines(deps, job, run, limit, {
    ...(task && { task }),
    ...(container && { container }),
  });
  return jsonResponse(200, {
    runId: run.runId,
    status: run.status,
    lines: lines.map((l) => ({ ...l, text: formatLogLine(l) })),
    notices,
  });
}

export async function startRun(
  deps: RunEndDeps,
  name: string,
  req: HttpRequest,
  options: HttpOptions,
): Promise<HttpResponse> {
  const job = jobOf(deps, name);
  if (!job.spec.http)
    throw new ForbiddenError(`job ${job.name} cannot be started over HTTP (its spec has no http section)`);
  const request = parseRunRequest(jsonBodyOf(req, options.maxBodyBytes));
  const overrides = await runOverridesFor(deps, job, request, { allow: allowlistOf(job) });
  // Names only: override values (environment variables especially) may be secrets.
  deps.log.info("run requested over HTTP", { overrides: asksOf(request).map((a) => a.field) });
  const run = await launchRun(deps, {
    job,
    trigger: { kind: "http", id: req.requestId, ...(req.principal && { by: req.principal }) },
    overrides,
    ...(req.time !== undefined && Number.isFinite(req.time) && { at: new Date(req.time) }),
    stopBy: new Date(deps.now().getTime() + HTTP_LAUNCH_BUDGET_MS),
  });
  await settleLaunched(deps, run);
  if (run.status === "SKIPPED")
    throw new ConflictError(
      `job ${job.name} already has an active run and its policy.concurrency is forbid; run ${run.runId} was SKIPPED`,
    );
  return jsonResponse(202, redactSecrets(run), { location: `/runs/${run.runId}` });
}

export async function resume(
  deps: ScheduleControlDeps,
  name: string,
  options: HttpOptions,
): Promise<HttpResponse> {
  const job = jobOf(deps, name);
  if (!options.resumeJob)
    throw new NotImplementedError("resuming a paused job is not available in this build");
  const result = await options.resumeJob(deps, job);
  return jsonResponse(200, result ?? { job: job.name, resumed: true });
}

export async function pause(
  deps: ScheduleControlDeps,
  name: string,
  options: HttpOptions,
): Promise<HttpResponse> {
  const job = jobOf(deps, name);
  if (!options.pauseJob) throw new NotImplementedError("pausing a job is not available in this build");
  return jsonResponse(200, await options.pauseJob(deps, job));
}

/** The optional body of POST /runs/{runId}/stop: `{ "reason"?: text }`. */
function stopBody(req: HttpRequest, options: HttpOptions): string | undefined {
  const body = jsonBodyOf(req, options.maxBodyBytes);
  if (body === undefined) return undefined;
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw new ValidationError('body: expected an object such as { "reason": "…" }', { field: "body" });
  const extra = Object.keys(body).find((k) => k !== "reason");
  if (extra !== undefined)
    throw new ValidationError(`${extra}: unknown key; only reason is allowed`, { field: extra });
  return checkStopReason((body as { reason?: unknown }).reason);
}

/** StopTask for every task of the run, which ends CANCELLED; 409 when it is final already. */
export async function stop(
  deps: StopDeps & { catalog: Catalog },
  runId: string,
  req: HttpRequest,
  options: HttpOptions,
): Promise<HttpResponse> {
  const reason = stopBody(req, options);
  const { run } = await stopRun(deps, runId, { ...(reason && { reason }), by: req.principal ?? "http" });
  return jsonResponse(200, redactSecrets(run));
}
