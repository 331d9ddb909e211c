/** The handlers of SPEC section 3's routes; each answers or throws an EcsJobsError (mapped in errors.ts). */
import { redactSecrets } from "../alerts/redact.ts";
import { summarize, upcoming } from "../catalog/summary.ts";
import type { Deps } from "../deps.ts";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../errors.ts";
import { classifyAwsError, isTransient } from "../launch/ecs-call.ts";
import { launchRun } from "../launch/launcher.ts";
import { RUN_ID_PATTERN } from "../launch/run-id.ts";
import { settleLaunched } from "../runs/finalize.ts";
import { formatInZone } from "../schedule/zone.ts";
import { JOB_NAME_PATTERN } from "../spec/patterns.ts";
import type { Job } from "../spec/schema.ts";
import { parseJsonBody } from "./body.ts";
import { jsonResponse, NotImplementedError } from "./errors.ts";
import { allowlistOf, asksOf, runOverridesFor } from "./overrides.ts";
import { parseRunRequest } from "./run-request.ts";
import type { HttpOptions, HttpRequest, HttpResponse } from "./types.ts";

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;

/** The job named in a path segment; anything that is not a job name (`..`, `%2F` …) is simply not found. */
export function jobOf(deps: Deps, name: string): Job {
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

export function listJobs(deps: Deps): HttpResponse {
  const now = deps.now();
  const anchor = (j: Job) => deps.scheduleAnchor?.(j.name);
  return jsonResponse(200, { jobs: deps.catalog.jobs.map((j) => summarize(j, now, 1, anchor(j))) });
}

export async function getJob(deps: Deps, name: string): Promise<HttpResponse> {
  const job = jobOf(deps, name);
  const now = deps.now();
  const { runs } = await deps.ledger.listByJob(job.name, { limit: 5 });
  const zone = job.spec.schedule?.timezone ?? "UTC";
  const { local: _local, ...spec } = job.spec;
  return jsonResponse(200, {
    ...summarize(job, now),
    spec,
    nextFireTimes: job.spec.schedule?.enabled
      ? upcoming(job, now, 5, deps.scheduleAnchor?.(job.name)).map((d) => formatInZone(d, zone))
      : [],
    runs: redactSecrets(runs),
  });
}

export async function listRuns(deps: Deps, name: string, req: HttpRequest): Promise<HttpResponse> {
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

export async function getRun(deps: Deps, runId: string): Promise<HttpResponse> {
  const run = RUN_ID_PATTERN.test(runId) ? await deps.ledger.get(runId) : undefined;
  if (!run) throw new NotFoundError(`run "${runId.slice(0, 80)}"`);
  return jsonResponse(200, redactSecrets(run));
}

export async function startRun(
  deps: Deps,
  name: string,
  req: HttpRequest,
  options: HttpOptions,
): Promise<HttpResponse> {
  const job = jobOf(deps, name);
  if (!job.spec.http)
    throw new ForbiddenError(`job ${job.name} cannot be started over HTTP (its spec has no http section)`);
  const request = parseRunRequest(parseJsonBody(req.body, options.maxBodyBytes));
  const overrides = await runOverridesFor(deps, job, request, { allow: allowlistOf(job) });
  // Names only: override values (environment variables especially) may be secrets.
  deps.log.info("run requested over HTTP", { overrides: asksOf(request).map((a) => a.field) });
  const run = await launchRun(deps, {
    job,
    trigger: { kind: "http", id: req.requestId, ...(req.principal && { by: req.principal }) },
    overrides,
    ...(req.time !== undefined && Number.isFinite(req.time) && { at: new Date(req.time) }),
  });
  await settleLaunched(deps, run);
  if (run.status === "SKIPPED")
    throw new ConflictError(
      `job ${job.name} already has an active run and its policy.concurrency is forbid; run ${run.runId} was SKIPPED`,
    );
  return jsonResponse(202, redactSecrets(run), { location: `/runs/${run.runId}` });
}

export async function resume(deps: Deps, name: string, options: HttpOptions): Promise<HttpResponse> {
  const job = jobOf(deps, name);
  if (!options.resumeJob)
    throw new NotImplementedError("resuming a paused job is not available in this build");
  const result = await options.resumeJob(deps, job);
  return jsonResponse(200, result ?? { job: job.name, resumed: true });
}
