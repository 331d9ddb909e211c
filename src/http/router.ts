/**
 * handleHttp: the whole HTTP API as one function of (deps, request), used by the Lambda adapter
 * (handlers/http.ts) and the local server alike. It never throws: every error becomes an answer.
 */
import { NotFoundError } from "../errors.ts";
import { errorResponse, MethodNotAllowedError } from "./error-response.ts";
import {
  getJob,
  getRun,
  getRunLogs,
  type HttpDeps,
  listJobs,
  listRuns,
  pause,
  resume,
  startRun,
  stop,
} from "./routes.ts";
import type { HttpOptions, HttpRequest, HttpResponse } from "./types.ts";

type Handler = (
  deps: HttpDeps,
  params: string[],
  req: HttpRequest,
  options: HttpOptions,
) => Promise<HttpResponse>;

interface Route {
  pattern: readonly (string | null)[];
  methods: Record<string, Handler>;
}

/** `null` = a path parameter. */
const ROUTES: Route[] = [
  { pattern: ["jobs"], methods: { GET: (d, _p, _req, o) => listJobs(d, o) } },
  { pattern: ["jobs", null], methods: { GET: (d, [name], _req, o) => getJob(d, name ?? "", o) } },
  {
    pattern: ["jobs", null, "runs"],
    methods: {
      GET: (d, [name], req) => listRuns(d, name ?? "", req),
      POST: (d, [name], req, o) => startRun(d, name ?? "", req, o),
    },
  },
  { pattern: ["jobs", null, "resume"], methods: { POST: (d, [name], _req, o) => resume(d, name ?? "", o) } },
  { pattern: ["jobs", null, "pause"], methods: { POST: (d, [name], _req, o) => pause(d, name ?? "", o) } },
  { pattern: ["runs", null], methods: { GET: (d, [runId]) => getRun(d, runId ?? "") } },
  { pattern: ["runs", null, "logs"], methods: { GET: (d, [runId], req) => getRunLogs(d, runId ?? "", req) } },
  {
    pattern: ["runs", null, "stop"],
    methods: { POST: (d, [runId], req, o) => stop(d, runId ?? "", req, o) },
  },
];

/** Path segments, percent-decoded; undefined when the encoding is broken. */
function segmentsOf(path: string): string[] | undefined {
  const raw =
    path
      .split("?")[0]
      ?.split("/")
      .filter((s) => s !== "") ?? [];
  try {
    return raw.map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
}

function match(segments: string[]): { route: Route; params: string[] } | undefined {
  for (const route of ROUTES) {
    if (route.pattern.length !== segments.length) continue;
    const params: string[] = [];
    const ok = route.pattern.every((p, i) => {
      const s = segments[i] ?? "";
      if (p === null) params.push(s);
      return p === null || p === s;
    });
    if (ok) return { route, params };
  }
  return undefined;
}

export async function handleHttp(
  deps: HttpDeps,
  req: HttpRequest,
  options: HttpOptions = {},
): Promise<HttpResponse> {
  const method = req.method.toUpperCase();
  try {
    const segments = segmentsOf(req.path);
    const found = segments && match(segments);
    if (!found) throw new NotFoundError(`route ${method} ${req.path.slice(0, 200)}`);
    const handler = Object.hasOwn(found.route.methods, method) ? found.route.methods[method] : undefined;
    if (!handler)
      throw new MethodNotAllowedError(method, req.path.slice(0, 200), Object.keys(found.route.methods));
    const res = await handler(deps, found.params, req, options);
    deps.log.info("http", { method, route: routeName(found.route), status: res.status });
    return withRequestId(res, req.requestId);
  } catch (error) {
    return withRequestId(errorResponse(error, deps.log), req.requestId);
  }
}

const routeName = (r: Route) => `/${r.pattern.map((p) => p ?? "{}").join("/")}`;

const withRequestId = (res: HttpResponse, requestId: string): HttpResponse => ({
  ...res,
  headers: { ...res.headers, "x-request-id": requestId },
});
