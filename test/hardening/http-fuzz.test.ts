/**
 * Fuzzing the HTTP API of the real local stack (SPEC sections 3 and 5) with fast-check: 3,000 hostile
 * requests in `npm test`, 10,000 in `npm run test:deep` (CI runs both), a few at a time over keep-alive
 * connections, plus raw malformed bytes on
 * sockets. Invariants: never a 5xx; every answer JSON (the dashboard HTML for GET /) with an error code;
 * 403 when the Host header names another machine (DNS rebinding), else 401 exactly when the token is missing or wrong; the known answers where the case tells them; the stack
 * still answers afterwards; Object.prototype untouched; and the ECS emulator never received a task with
 * anything the job's `http.allowOverrides` does not allow.
 *
 * Reproduce a failure with the seed fast-check prints: FUZZ_SEED=<seed> npx vitest run test/hardening.
 * FUZZ_REQUESTS changes the number of requests (default 3,000: each request costs ~5 ms of CPU, and 3,000
 * still reach every kind of answer and enough launches for the audit below, with a fresh seed each run).
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLaunches } from "./support-http-allowlist.ts";
import { BODY_LIMIT, type FuzzCase, rawCase, targetedCase, wildCase } from "./support-http-arbitraries.ts";
import { createClient, type Reply, rawExchange } from "./support-http-client.ts";
import { type HardeningStack, startHardeningStack } from "./support-http-stack.ts";

const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 3_000);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
/** Requests in flight at once. */
const PARALLEL = 4;
const RAW_CASES = 300;

const protoKeys = () => ({
  object: Object.getOwnPropertyNames(Object.prototype).sort(),
  array: Object.getOwnPropertyNames(Array.prototype).sort(),
  func: Object.getOwnPropertyNames(Function.prototype).sort(),
});

/** What every answer must be, whatever was asked. */
function checkReply(c: { label: string; req?: FuzzCase["req"] }, r: Reply, html: boolean): void {
  const at = `${c.label}: answered ${r.status} ${r.body.slice(0, 300)}`;
  if (r.status < 200 || r.status >= 500) throw new Error(`no 5xx, no missing answer — ${at}`);
  const type = String(r.headers["content-type"] ?? "");
  if (html && r.status === 200) {
    if (!type.startsWith("text/html")) throw new Error(`the dashboard is HTML — ${at}`);
    return;
  }
  if (!type.startsWith("application/json")) throw new Error(`JSON content-type, got "${type}" — ${at}`);
  if (c.req?.method === "HEAD") return;
  let body: unknown;
  try {
    body = JSON.parse(r.body);
  } catch {
    throw new Error(`the body is JSON — ${at}`);
  }
  if (r.status >= 400) {
    const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    if (typeof error?.code !== "string" || error.code === "" || typeof error.message !== "string")
      throw new Error(`an error is { error: { code, message } } — ${at}`);
  } else if (r.status !== 200 && r.status !== 202) throw new Error(`success is 200 or 202 — ${at}`);
}

function checkCase(c: FuzzCase, r: Reply): void {
  const path = c.req.path.split("?")[0];
  const html =
    c.authed &&
    (c.req.method === "GET" || c.req.method === "HEAD") &&
    (path === "/" || path === "/index.html");
  const at = `${c.label} ${c.req.method} ${c.req.path.slice(0, 120)}: answered ${r.status} ${r.body.slice(0, 300)}`;
  // The dashboard's token exchange: a redirect to `/` with the session cookie, nothing else.
  if (c.expect?.status.includes(303) && r.status === 303) {
    if (r.headers.location !== "/" || !/HttpOnly/.test(String(r.headers["set-cookie"])))
      throw new Error(`the exchange redirects to / with an HttpOnly cookie — ${at}`);
    return;
  }
  checkReply(c, r, html);
  // A Host naming another machine is what a page reaching the stack by DNS rebinding sends: 403 first.
  // An empty Host is as good as none (no browser sends one), and Node's client then sends its default.
  const host = String(c.req.headers.host ?? "").trim();
  if (host !== "" && !/^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(host)) {
    if (r.status !== 403) throw new Error(`403 for a Host that is not this machine — ${at}`);
    return;
  }
  if (c.authed !== (r.status !== 401)) throw new Error(`401 exactly when the token is not right — ${at}`);
  if (c.expect && !c.expect.status.includes(r.status))
    throw new Error(`expected ${c.expect.status.join(" or ")} — ${at}`);
  if (c.expect?.field !== undefined) {
    const field = (JSON.parse(r.body) as { error?: { field?: string } }).error?.field;
    if (field !== c.expect.field) throw new Error(`expected the error to name ${c.expect.field} — ${at}`);
  }
}

describe("HTTP fuzzing of the local stack", () => {
  let h: HardeningStack;
  let client: ReturnType<typeof createClient>;
  const before = protoKeys();
  const statuses = new Map<number, number>();
  let sent = 0;

  beforeAll(async () => {
    h = await startHardeningStack();
    client = createClient(h.stack.httpUrl === "" ? 0 : Number(new URL(h.stack.httpUrl).port), PARALLEL);
  });

  afterAll(async () => {
    client?.close();
    await h?.close();
  });

  it(
    `answers ${REQUESTS} hostile requests without a 5xx, always JSON, 401 without the token`,
    async () => {
      const token = h.stack.token;
      const caseArb = fc.oneof(
        { weight: 3, arbitrary: targetedCase(token) },
        { weight: 2, arbitrary: wildCase(token) },
      );
      await fc.assert(
        fc.asyncProperty(fc.array(caseArb, { minLength: PARALLEL, maxLength: PARALLEL }), async (cases) => {
          const replies = await Promise.all(cases.map((c) => client.send(c.req)));
          cases.forEach((c, i) => {
            const r = replies[i] as Reply;
            sent++;
            statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
            checkCase(c, r);
          });
        }),
        { numRuns: Math.ceil(REQUESTS / PARALLEL), ...(SEED !== undefined && { seed: SEED }) },
      );
      expect(sent).toBeGreaterThanOrEqual(REQUESTS);
      // The generators reach every kind of answer: a fuzzer stuck on 401s or 404s would prove little.
      for (const status of [200, 202, 400, 401, 403, 404, 413, 415])
        expect(statuses.get(status) ?? 0).toBeGreaterThan(0);
      console.log(
        `http fuzz: ${sent} requests; answers ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`,
      );
      // A timeout only catches a hang: ~5 ms a request on an idle machine, 10× that leaves room for a busy one.
    },
    60_000 + REQUESTS * 50,
  );

  it(`answers ${RAW_CASES} malformed raw requests with a JSON 4xx`, async () => {
    const port = Number(new URL(h.stack.httpUrl).port);
    await fc.assert(
      fc.asyncProperty(rawCase(h.stack.token), async (c) => {
        const r = await rawExchange(port, Buffer.from(c.bytes, "latin1"));
        checkReply(c, r, false);
        if (c.status && !c.status.includes(r.status))
          throw new Error(`${c.label}: expected ${c.status.join(" or ")}, answered ${r.status} ${r.body}`);
      }),
      { numRuns: RAW_CASES, ...(SEED !== undefined && { seed: SEED }) },
    );
  });

  it("takes a body of exactly 64 KiB and refuses one byte more, whatever its content type", async () => {
    const auth = { authorization: `Bearer ${h.stack.token}` };
    const body = (size: number) => `{"count":1${" ".repeat(size - 11)}}`;
    for (const type of ["application/json", "application/octet-stream"]) {
      const at = await client.send({
        method: "POST",
        path: "/jobs/locked/runs",
        headers: { ...auth, "content-type": type },
        body: body(BODY_LIMIT),
      });
      // Through the size limit; as JSON, count is refused; as anything else, the content type is.
      expect(Buffer.byteLength(body(BODY_LIMIT))).toBe(BODY_LIMIT);
      expect([at.status, JSON.parse(at.body).error.field]).toEqual(
        type === "application/json" ? [400, "count"] : [415, "content-type"],
      );
      const over = await client.send({
        method: "POST",
        path: "/jobs/locked/runs",
        headers: { ...auth, "content-type": type },
        body: body(BODY_LIMIT + 1),
      });
      expect([over.status, JSON.parse(over.body).error.code]).toEqual([413, "PayloadTooLarge"]);
    }
  });

  it("still answers, launched nothing outside the allowlists, and left the prototypes alone", async () => {
    await h.stack.idle();
    const res = await fetch(`${h.stack.httpUrl}/jobs`, {
      headers: { authorization: `Bearer ${h.stack.token}` },
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { jobs: unknown[] }).jobs).toHaveLength(6);

    // Refused field names are logged: hostile ones (terminal escapes in the corpus) arrive escaped.
    expect(h.logs.filter((l) => ["\u001b", "\u0007", "\u009b"].some((c) => l.includes(c)))).toEqual([]);

    const audit = auditLaunches(h.stack.jobs, h.stack.emulator.calls(), h.stack.emulator.tasks());
    expect(audit.violations).toEqual([]);
    // The audit looked at real launches, some of them with overrides the allowlists permit.
    expect(audit.runTasks).toBeGreaterThan(REQUESTS / 200);
    expect(audit.overridden).toBeGreaterThan(REQUESTS / 500);
    expect(audit.tasks).toBeGreaterThan(0);
    console.log(
      `http fuzz audit: ${audit.runTasks} RunTask calls (${audit.overridden} with caller overrides), ${audit.tasks} tasks held; 0 outside the allowlists`,
    );

    expect(protoKeys()).toEqual(before);
    const probe = {} as Record<string, unknown>;
    for (const key of ["polluted", "toString"]) expect(typeof probe[key]).not.toBe("string");
    // Nothing in the log says the stack failed inside.
    expect(h.logs.filter((l) => /request failed|failed:|Internal/.test(l))).toEqual([]);
  });
});
