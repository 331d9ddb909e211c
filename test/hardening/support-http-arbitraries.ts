/**
 * fast-check arbitraries of hostile requests to the local HTTP API, each with what SPEC sections 3 and 5
 * say the answer must be where that is known: `status` (any of) and the error's `field`.
 */
import fc from "fast-check";
import {
  allowedBody,
  atLimitBody,
  BODY_LIMIT,
  badCount,
  badEnvName,
  DENIED,
  deepBody,
  HTTP_JOBS,
  type HttpJob,
  hugeBody,
  invalidJson,
  nastyString,
  pollutedBody,
  token,
} from "./support-http-bodies.ts";
import type { FuzzRequest } from "./support-http-client.ts";

export { BODY_LIMIT } from "./support-http-bodies.ts";

export interface Expect {
  status: number[];
  /** The error's `field`, exactly. */
  field?: string;
}

export interface FuzzCase {
  label: string;
  req: FuzzRequest;
  /** Absent: only the invariants hold (no 5xx, JSON error with a code, 401 without a token). */
  expect?: Expect | undefined;
  /** Whether the request carries a valid token, per SPEC section 5 (bearer header, else `?token=`). */
  authed: boolean;
}

export const ALL_JOBS = [...HTTP_JOBS, "sched"] as const;

// ---------------------------------------------------------------- auth (SPEC section 5)

interface AuthCase {
  headers: Record<string, string | string[]>;
  query: readonly string[];
  authed: boolean;
  /** The right `?token=` and no bearer header: it counts only on GET/HEAD of the dashboard, as an exchange. */
  exchange?: boolean;
}

/** Whether a request is the dashboard's token exchange (303 + session cookie), per SECURITY.md. */
export const isExchange = (method: string, path: string): boolean =>
  (method === "GET" || method === "HEAD") && (path === "/" || path === "/index.html");

/**
 * How a request presents (or fails to present) the token; `authed` follows the documented rule: a
 * well-formed bearer header decides; `?token=` alone authenticates nothing but the dashboard exchange.
 */
export const authArb = (good: string): fc.Arbitrary<AuthCase> =>
  fc.oneof(
    {
      weight: 40,
      arbitrary: fc.constant({ headers: { authorization: `Bearer ${good}` }, query: [], authed: true }),
    },
    {
      weight: 1,
      arbitrary: fc.constant({ headers: { authorization: `bearer   ${good}  ` }, query: [], authed: true }),
    },
    {
      weight: 1,
      arbitrary: fc.constant({
        headers: {},
        query: [`token=${encodeURIComponent(good)}`],
        authed: false,
        exchange: true,
      }),
    },
    // A well-formed bearer header wins over the query, even a right one.
    {
      weight: 1,
      arbitrary: fc.constant({
        headers: { authorization: `Bearer ${good}` },
        query: ["token=wrong"],
        authed: true,
      }),
    },
    {
      weight: 1,
      arbitrary: fc.constant({
        headers: { authorization: "Bearer wrong" },
        query: [`token=${encodeURIComponent(good)}`],
        authed: false,
      }),
    },
    { weight: 2, arbitrary: fc.constant({ headers: {}, query: [], authed: false }) },
    {
      weight: 2,
      arbitrary: fc
        .oneof(
          nastyString.filter((s) => /^[\t\x20-\x7e\x80-\xff]*$/.test(s)),
          fc.constantFrom(
            `Bearer ${good}x`,
            `Bearer x${good}`,
            `Bearer ${good.slice(1)}`,
            `Bearer ${good} ${good}`,
            `Basic ${Buffer.from(`user:${good}`).toString("base64")}`,
            `Token ${good}`,
            good,
            "Bearer",
            "Bearer ",
            `Bearer ${good.toUpperCase()}`,
          ),
        )
        .map((v) => ({ headers: { authorization: v }, query: [], authed: false })),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(`token=${good}x`, "token=", "token", `token=${good.slice(0, 10)}`, "TOKEN=x")
        .map((q) => ({ headers: {}, query: [q], authed: false })),
    },
    // Duplicate token parameters: the first one counts.
    {
      weight: 1,
      arbitrary: fc.constant({
        headers: {},
        query: ["token=wrong", `token=${encodeURIComponent(good)}`],
        authed: false,
      }),
    },
  );

// ---------------------------------------------------------------- paths

const HOSTILE_NAMES = [
  "..",
  "../open",
  "..%2Fopen",
  "%2e%2e",
  "%2E%2E%2Fopen",
  "open%2Fruns",
  "open%2f..%2f..%2fetc%2fpasswd",
  "%00",
  "open%00",
  "%zz",
  "%",
  "%E2%82%AC",
  "%C0%AE%C0%AE",
  "%ED%A0%80",
  "open%20",
  "OPEN",
  "Open",
  "__proto__",
  "constructor",
  "prototype",
  "hasOwnProperty",
  "toString",
  "a".repeat(64),
  "a".repeat(4_000),
  "open;",
  "open.yml",
  "_private",
  "-open",
  "%F0%9F%92%A9",
  "%EF%BF%BF",
  ".",
  "op%65n",
  "ope\u00e9",
];

export const jobNameArb = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...ALL_JOBS) },
  { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_NAMES) },
  {
    weight: 1,
    arbitrary: fc.string({ maxLength: 20 }).map((s) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, ""))),
  },
);

const segmentArb = fc.oneof(
  fc.constantFrom("jobs", "runs", "resume", "alerts", "..", ".", "", "%2F", "%2e%2e", "index.html", "open"),
  fc.string({ unit: fc.constantFrom(..."abz09-_.~%!$&'()*+,;=:@".split("")), maxLength: 10 }),
);

const runIdArb = fc.oneof(
  fc.constantFrom("20260101T000000Z-deadbeef", "..", "%2F", "x".repeat(300), "__proto__", "%ff"),
  fc.string({ unit: fc.constantFrom(..."0123456789abcdefTZ-".split("")), maxLength: 30 }),
);

const pathArb = fc.oneof(
  fc.constant("/jobs"),
  jobNameArb.map((n) => `/jobs/${n}`),
  jobNameArb.map((n) => `/jobs/${n}/runs`),
  jobNameArb.map((n) => `/jobs/${n}/resume`),
  jobNameArb.map((n) => `/jobs/${n}/pause`),
  runIdArb.map((r) => `/runs/${r}`),
  runIdArb.map((r) => `/runs/${r}/stop`),
  runIdArb.map((r) => `/runs/${r}/logs`),
  fc.constantFrom(
    "/",
    "/index.html",
    "/alerts",
    "//jobs",
    "/jobs/",
    "/jobs//runs",
    "/./jobs",
    "/jobs/./open",
    "/jobs/open/runs/",
    "/jobs/open/runs/extra",
    "/%6Aobs",
    "/JOBS",
    "*",
    "http://127.0.0.1/jobs",
    "/jobs%2Fopen",
    "/jobs/open%2Fruns",
    "/runs",
    "/favicon.ico",
    "/../../etc/passwd",
    "/jobs/open/runs#frag",
    "/\u00e9",
  ),
  fc.array(segmentArb, { maxLength: 6 }).map((s) => `/${s.join("/")}`),
);

const queryPairArb = fc.tuple(
  fc.constantFrom("limit", "next", "partial", "__proto__", "constructor", "toString", "limit[]", "a", ""),
  fc.oneof(
    fc.constantFrom(
      "1",
      "0",
      "-1",
      "100",
      "101",
      "1e2",
      "1.5",
      " 5",
      "0x10",
      "99999999999999999999",
      "",
      "%zz",
      "%00",
    ),
    fc.constantFrom(
      Buffer.from('{"foo":1}').toString("base64url"),
      Buffer.from('{"pk":{"S":"x"}}').toString("base64url"),
      Buffer.from("[]").toString("base64url"),
      Buffer.from("null").toString("base64url"),
      "not-base64!",
    ),
    fc.jsonValue({ maxDepth: 2 }).map((v) => Buffer.from(JSON.stringify(v) ?? "null").toString("base64url")),
    fc.string({ maxLength: 12 }).map((s) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, ""))),
  ),
);

// ---------------------------------------------------------------- cases

const decodeOr = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

const JSON_TYPE = { "content-type": "application/json" };

const withQuery = (path: string, query: readonly string[]) =>
  query.length === 0 ? path : `${path}${path.includes("?") ? "&" : "?"}${query.join("&")}`;

/** POST /jobs/{job}/runs with a body of a known kind: the answer is known too. */
export const targetedCase = (good: string): fc.Arbitrary<FuzzCase> =>
  fc
    .tuple(
      authArb(good),
      fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom(...ALL_JOBS) },
        { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_NAMES) },
      ),
      // Launches cost a hundred times what a refusal costs (the emulator keeps and persists every task):
      // about one request in a hundred launches, enough for the allowlist audit.
      fc.oneof(
        { weight: 1, arbitrary: fc.constant("allowed" as const) },
        { weight: 6, arbitrary: fc.constant("denied" as const) },
        { weight: 5, arbitrary: fc.constant("polluted" as const) },
        { weight: 4, arbitrary: fc.constant("invalid" as const) },
        { weight: 2, arbitrary: fc.constant("deep" as const) },
        { weight: 3, arbitrary: fc.constant("count" as const) },
        { weight: 3, arbitrary: fc.constant("envName" as const) },
        { weight: 2, arbitrary: fc.constant("huge" as const) },
        { weight: 1, arbitrary: fc.constant("atLimit" as const) },
        { weight: 2, arbitrary: fc.constant("random" as const) },
      ),
      fc.integer({ min: 0, max: 1_000_000 }),
      // Mostly JSON, so that most bodies reach the handler's checks; the rest are 415s.
      fc.oneof(
        { weight: 6, arbitrary: fc.constant<Record<string, string>>(JSON_TYPE) },
        {
          weight: 3,
          arbitrary: fc.constantFrom<Record<string, string>>(
            {},
            { "content-type": "text/plain" },
            { "content-type": "application/x-www-form-urlencoded" },
            { "content-type": "multipart/form-data; boundary=x" },
            { "content-type": "application/octet-stream" },
          ),
        },
      ),
    )
    .chain(([auth, job, kind, seed, anyType]) => {
      // Allowed bodies go as JSON, so that enough of them launch for the allowlist audit; every other kind
      // tries the other types too (415).
      const type = kind === "allowed" ? JSON_TYPE : anyType;
      // A percent-encoded name is the name (`op%65n` is `open`), as API Gateway decodes path parameters.
      const decoded = decodeOr(job);
      const http = (HTTP_JOBS as readonly string[]).includes(decoded) ? (decoded as HttpJob) : undefined;
      const bodyArb: fc.Arbitrary<{ body: string; expect?: Expect }> = (() => {
        switch (kind) {
          case "allowed":
            return allowedBody(http ?? "open").map((b) => ({
              body: JSON.stringify(b),
              expect: { status: http === "solo" ? [202, 409] : [202] },
            }));
          case "denied": {
            const list = DENIED[http ?? "open"];
            const [body, field] = list[seed % list.length] as [Record<string, unknown>, string];
            return fc.constant({ body: JSON.stringify(body), expect: { status: [400], field } });
          }
          case "polluted":
            return pollutedBody.map(([body, field]) => ({ body, expect: { status: [400], field } }));
          case "invalid":
            // Not JSON, or JSON that is not an object (`null` included): the body is refused as a whole.
            return fc
              .oneof(invalidJson, fc.constantFrom("null", "[]", "1", '"x"', "true", "[{}]"))
              .map((body) => ({ body, expect: { status: [400], field: "body" } }));
          case "deep":
            return deepBody.map((body) => ({ body, expect: { status: [400] } })); // 413 when too long
          case "count":
            return badCount.map((c) => ({
              body: `{"count":${c}}`,
              expect: { status: [400], field: "count" },
            }));
          case "envName":
            return badEnvName.map((name) => ({
              body: JSON.stringify({ overrides: { environment: { [name]: "v" } } }),
              expect: { status: [400] },
            }));
          case "huge":
            return hugeBody.map((body) => ({ body, expect: { status: [413] } }));
          case "atLimit":
            // Inside the limit, so not a 413: the overrides would exceed what ECS takes.
            return atLimitBody.map((body) => ({ body, expect: { status: [400] } }));
          default:
            return fc.jsonValue({ maxDepth: 4 }).map((v) => ({ body: JSON.stringify(v) ?? "null" }));
        }
      })();
      return bodyArb.map(({ body, expect }): FuzzCase => {
        const path = withQuery(`/jobs/${job}/runs`, auth.query);
        const known = (ALL_JOBS as readonly string[]).includes(decoded);
        // The order the server checks in: the token, the body's size, the job, HTTP enabled, the body.
        // Every body here is non-empty: without a JSON content type it is a 415 whatever it holds.
        const jsonType = /^application\/json/.test(type["content-type"] ?? "");
        let e: Expect | undefined = expect;
        if (!auth.authed) e = { status: [401] };
        else if (Buffer.byteLength(body) > BODY_LIMIT) e = { status: [413] };
        // …once the path is a route at all: a name with a slash in it makes another path (404 before).
        else if (body.length > 0 && !jsonType && job !== "" && !job.includes("/"))
          e = { status: [415], field: "content-type" };
        else if (!known) e = { status: [404] };
        else if (!http) e = { status: [403] };
        return {
          label: `${kind} POST ${job}`,
          req: { method: "POST", path, headers: { ...type, ...auth.headers }, body },
          expect: e,
          authed: auth.authed,
        };
      });
    });

const headerArb = fc.dictionary(
  fc.oneof(
    fc.constantFrom(
      "x-forwarded-for",
      "host",
      "x-amz-target",
      "cookie",
      "__proto__",
      "constructor",
      "x-request-id",
      "content-encoding",
      "accept",
      "origin",
      "x-http-method-override",
      "content-type",
    ),
    token().map((s) => `x-${s}`),
  ),
  fc.oneof(
    fc.constantFrom(
      "1.2.3.4",
      "evil.example",
      "gzip",
      "DELETE",
      "a=b; token=x",
      "*/*",
      "application/json; charset=utf-16",
      "multipart/form-data; boundary=x",
      "\t",
    ),
    fc.string({ maxLength: 30 }).filter((s) => /^[\x20-\x7e]*$/.test(s)),
  ),
  { maxKeys: 4 },
);

const methodArb = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom("GET", "POST") },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      "PUT",
      "DELETE",
      "PATCH",
      "HEAD",
      "OPTIONS",
      "PROPFIND",
      "SEARCH",
      "PURGE",
      "LOCK",
    ),
  },
);

const wildBody = fc.oneof(
  { weight: 2, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? "null") },
  { weight: 1, arbitrary: invalidJson },
  { weight: 1, arbitrary: pollutedBody.map(([b]) => b) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a).toString("latin1")) },
);

/** Any method, path, query, headers and body. Known answers: 401 without a token, some GETs. */
export const wildCase = (good: string): fc.Arbitrary<FuzzCase> =>
  fc
    .record({
      auth: authArb(good),
      method: methodArb,
      path: pathArb,
      query: fc.array(
        queryPairArb.map(([k, v]) => `${k}=${v}`),
        { maxLength: 3 },
      ),
      headers: headerArb,
      body: wildBody,
    })
    .map(({ auth, method, path, query, headers, body }): FuzzCase => {
      const fullPath = withQuery(path, [...query, ...auth.query]);
      let expect: Expect | undefined;
      const bare = query.length === 0 && !path.includes("#");
      // The first `token` parameter is the one that counts; the caller's own query may hold one first.
      const firstToken = new URLSearchParams(fullPath.split("?").slice(1).join("?")).get("token");
      const exchange =
        auth.exchange === true &&
        firstToken === good &&
        isExchange(method, fullPath.split("?")[0] ?? "") &&
        !("authorization" in headers && /^Bearer\s+\S+\s*$/i.test(String(headers.authorization)));
      const authed = auth.authed || exchange;
      if (exchange) expect = { status: [303] };
      else if (!authed) expect = { status: [401] };
      else if (method === "GET" && bare && path === "/jobs") expect = { status: [200] };
      else if (
        method === "GET" &&
        bare &&
        /^\/jobs\/(open|wide|locked|solo|sched|failing)(\/runs)?$/.test(path)
      )
        expect = { status: [200] };
      else if (bare && /^\/jobs\/(open|wide|locked|solo|sched|failing)$/.test(path) && method !== "GET")
        expect = { status: [404, 405] };
      return {
        label: `wild ${method} ${path.slice(0, 60)}`,
        // Header names the caller chose go first: the auth headers must be the ones that count.
        req: { method, path: fullPath, headers: { ...headers, ...auth.headers }, body },
        expect,
        authed,
      };
    });

/** Raw bytes: what no client library sends. The answer must still be a JSON error. */
/** What the raw cases answer: Node's parser refuses most (400, 431 for headers over 16 KiB) before any auth. */
const RAW_STATUS: Record<string, number[]> = {
  "huge header": [431],
  "many headers": [431],
  "huge declared CL": [413],
  // Accepted by the parser (HTTP/0.9-style and 1.0 requests), carrying the token: a normal answer.
  "no version": [200],
  "HTTP/1.0 no host": [200],
  // What a page reaching the stack by DNS rebinding sends, token or not.
  "foreign host": [403],
  "foreign host with port": [403],
  // Cross-site forms (issue 20, item 2): what a page on any site can send without a CORS preflight.
  "form post with the dashboard link's token": [401],
  "text/plain post with the link's token": [401],
  "form post with a forged session cookie": [401],
  "form post with a bearer header, as text/plain": [415],
};

export const rawCase = (good: string): fc.Arbitrary<{ label: string; bytes: string; status?: number[] }> => {
  const auth = `Authorization: Bearer ${good}\r\n`;
  return fc.oneof(
    fc
      .constantFrom(
        ["lower-case method", `get /jobs HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}\r\n`],
        ["foreign host", `GET /jobs HTTP/1.1\r\nHost: evil.example\r\n${auth}\r\n`],
        ["foreign host with port", `GET /jobs HTTP/1.1\r\nHost: 127.0.0.1.evil.example:4280\r\n${auth}\r\n`],
        ["unknown method", `FROB /jobs HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}\r\n`],
        ["space in path", `GET /jobs/a b HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}\r\n`],
        ["NUL in path", `GET /jobs/\u0000 HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}\r\n`],
        ["NUL in header", `GET /jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: a\u0000b\r\n${auth}\r\n`],
        ["bare LF", `GET /jobs HTTP/1.1\nHost: 127.0.0.1\n${auth.replace("\r\n", "\n")}\n`],
        ["no version", `GET /jobs\r\n${auth}\r\n`],
        ["HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"],
        ["header without colon", `GET /jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nbroken header\r\n${auth}\r\n`],
        [
          "CL and TE",
          `POST /jobs/open/runs HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
        ],
        [
          "two CLs",
          `POST /jobs/open/runs HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}`,
        ],
        [
          "negative CL",
          `POST /jobs/open/runs HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}Content-Length: -1\r\n\r\n`,
        ],
        [
          "bad chunk",
          `POST /jobs/open/runs HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
        ],
        [
          "huge declared CL",
          `POST /jobs/open/runs HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}Content-Length: 99999999999\r\n\r\n{}`,
        ],
        [
          "huge header",
          `GET /jobs HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}X-Big: ${"b".repeat(20_000)}\r\n\r\n`,
        ],
        ["many headers", `GET /jobs HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}${"X-A: 1\r\n".repeat(3_000)}\r\n`],
        ["utf-8 path", `GET /jobs/\u00c3\u00a9 HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}\r\n`],
        ["HTTP/1.0 no host", `GET /jobs HTTP/1.0\r\n${auth}\r\n`],
        ["obs-fold", `GET /jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: a\r\n  b\r\n${auth}\r\n`],
        ["unframed GET body", `GET /jobs HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}\r\n{"a":1}`],
        [
          "form post with the dashboard link's token",
          `POST /jobs/open/runs?token=${encodeURIComponent(good)} HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://evil.example\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 13\r\n\r\n{"count":1}=x`,
        ],
        [
          "text/plain post with the link's token",
          `POST /jobs/open/runs?token=${encodeURIComponent(good)} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\n{"count":1}`,
        ],
        [
          "form post with a forged session cookie",
          `POST /jobs/open/runs HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: null\r\nCookie: ecs_jobs_session_4280=${encodeURIComponent(good)}\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\n{}`,
        ],
        [
          "form post with a bearer header, as text/plain",
          `POST /jobs/open/runs HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}Content-Type: text/plain\r\nContent-Length: 11\r\n\r\n{"count":1}`,
        ],
        ["no auth, garbage", "\u0016\u0003\u0001\u0000\u00a5\u0001\u0000\u0000\u00a1\u0003\u0003"],
      )
      .map(([label, bytes]) => ({ label, bytes, status: RAW_STATUS[label] ?? [400] })),
    fc
      .string({ unit: "binary-ascii", maxLength: 80 })
      // Only blank lines is no request at all: nothing to answer.
      .filter((s) => s.trim() !== "")
      .map((s) => ({ label: "random request line", bytes: `${s}\r\n\r\n` })),
  );
};
