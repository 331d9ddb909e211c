/** The local run ledger's server: the SDK gets in, web pages do not. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalDynamo, startDynalite } from "../../local/dynamo.ts";
import { rawRequest } from "./support/raw.ts";

let dir: string;
let dynamo: LocalDynamo;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ecs-jobs-dynamo-"));
  dynamo = await startDynalite(dir);
});
afterAll(async () => {
  await dynamo.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A ListTables as a browser would send it: with these extra headers. */
const listTables = (headers: Record<string, string>, method = "POST") =>
  rawRequest(dynamo.url, {
    method,
    body: method === "POST" ? "{}" : "",
    headers: {
      "content-type": "application/x-amz-json-1.0",
      "x-amz-target": "DynamoDB_20120810.ListTables",
      authorization:
        "AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00",
      "x-amz-date": "20260101T000000Z",
      ...headers,
    },
  });

describe("the local run ledger (dynalite)", () => {
  it("serves the AWS SDK", async () => {
    const client = new DynamoDBClient({
      endpoint: dynamo.url,
      region: "us-east-1",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    expect((await client.send(new ListTablesCommand({}))).TableNames).toEqual([]);
    client.destroy();
  });

  it("refuses what a web page sends: an Origin (CORS preflight included), or a Host that is not loopback", async () => {
    const cases = [
      { origin: "https://evil.example" },
      { origin: "null" },
      { host: "evil.example" },
      { host: "localhost.evil.example:8000" },
    ];
    for (const headers of cases) {
      const r = await listTables(headers);
      expect({ headers, status: r.status }).toEqual({ headers, status: 403 });
      expect(JSON.parse(r.body)).toMatchObject({ __type: expect.stringMatching(/AccessDeniedException$/) });
      expect(r.headers["access-control-allow-origin"]).toBeUndefined();
    }
    const preflight = await listTables(
      {
        origin: "https://evil.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "x-amz-target,authorization",
      },
      "OPTIONS",
    );
    expect(preflight.status).toBe(403);
    expect(preflight.headers["access-control-allow-origin"]).toBeUndefined();
    // The same request without them is served.
    expect((await listTables({})).status).toBe(200);
  });
});
