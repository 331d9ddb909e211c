/**
 * `next` is the caller's input: a page token the run store cannot use is a 400 naming `next`, not the 502
 * of a refused AWS call (found by test/hardening/http-fuzz.test.ts: `next` = base64url of `{"foo":1}` made
 * DynamoDB answer ValidationException, and the API a 502). An outage stays a 503; without a token, a
 * refusal is the store's problem and stays a 502.
 */
import { describe, expect, it, vi } from "vitest";
import { handleHttp } from "../../src/http/router.ts";
import { awsError, exampleJobs, testDeps } from "../launch/harness.ts";

async function listRuns(error: unknown, query: Record<string, string>) {
  const deps = testDeps(exampleJobs());
  vi.spyOn(deps.ledger, "listByJob").mockRejectedValue(error);
  const res = await handleHttp(deps, {
    method: "GET",
    path: "/jobs/customer-export/runs",
    query,
    headers: {},
    requestId: "r-1",
  });
  return {
    status: res.status,
    error: (JSON.parse(res.body) as { error: { code: string; field?: string } }).error,
  };
}

const TOKEN = { next: Buffer.from('{"foo":1}').toString("base64url") };

describe("GET /jobs/{name}/runs?next=", () => {
  it("answers 400 naming next when the store refuses the token", async () => {
    const r = await listRuns(
      awsError("ValidationException", 400, "The provided starting key is invalid"),
      TOKEN,
    );
    expect(r).toEqual({
      status: 400,
      error: expect.objectContaining({ code: "ValidationError", field: "next" }),
    });
  });

  it("answers 400 when the token cannot even be sent (a number the document client refuses)", async () => {
    const r = await listRuns(new Error("Number 1e+300 is greater than Number.MAX_SAFE_INTEGER"), TOKEN);
    expect(r.status).toBe(400);
    expect(r.error.field).toBe("next");
  });

  it("still answers 503 when the store is throttled or down", async () => {
    expect((await listRuns(awsError("ThrottlingException", 400), TOKEN)).status).toBe(503);
    expect((await listRuns(awsError("InternalServerError", 500), TOKEN)).status).toBe(503);
  });

  it("keeps a refusal without a token a 502: the caller sent nothing wrong", async () => {
    expect((await listRuns(awsError("ValidationException", 400), {})).status).toBe(502);
  });
});
