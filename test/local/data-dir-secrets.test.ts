/**
 * What the data dir and the local DynamoDB endpoint give away (issue 20, item 3): runs' overrides live in the
 * ledger and the emulator state, so the folders are owner-only and our own files 0600; the ledger answers
 * only the stack's own generated credentials (the ones in stack.json, 0600), not "any signature".
 */
import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalStack, startLocalStack } from "../../local/stack.ts";
import { cli } from "../support/cli.ts";
import { api, FAST_PHASES, fargate, startRun, tempProject, waitForRun } from "./support/stack.ts";

const SECRET = "ledger-s3cr3t-value";
const JOBS = {
  hello: `${fargate("http: { allowOverrides: [environment.TOKEN] }\n", "{ outcome: succeed, durationSeconds: 0.05 }")}`,
};
let project: ReturnType<typeof tempProject>;
let stack: LocalStack;

beforeAll(async () => {
  project = tempProject(JOBS);
  stack = await startLocalStack({
    jobsDir: project.jobsDir,
    dataDir: project.dataDir,
    port: 0,
    token: "data-dir-secrets-token-0123",
    log: () => {},
    phaseMs: FAST_PHASES,
  });
  const a = api(stack);
  await waitForRun(a, await startRun(a, "hello", { overrides: { environment: { TOKEN: SECRET } } }));
  await stack.idle();
});
afterAll(async () => {
  await stack?.close();
  rmSync(project.dir, { recursive: true, force: true });
});

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? [p, ...walk(p)] : [p];
  });
}

describe("the data dir", () => {
  it("is reachable by its owner only: every folder 0700, the stack's own files 0600", async () => {
    await stack.close();
    const mode = (p: string) => statSync(p).mode & 0o777;
    expect(mode(project.dataDir)).toBe(0o700);
    const entries = walk(project.dataDir);
    for (const p of entries.filter((e) => statSync(e).isDirectory()))
      expect([p, mode(p)]).toEqual([p, 0o700]);
    // dynalite's LevelDB files are its own (created with the process umask) and sit in the 0700 ledger folder.
    const own = entries.filter(
      (e) => statSync(e).isFile() && !e.includes(`${join(project.dataDir, "ledger")}/`),
    );
    expect(own.map((p) => p.slice(project.dataDir.length + 1)).sort()).toEqual(
      expect.arrayContaining(["ecs-emulator.json", "schedules.json"]),
    );
    for (const p of own) expect([p, mode(p)]).toEqual([p, 0o600]);
    // The value is in there (a retry launches the same thing): the modes above are what keeps it.
    expect(readFileSync(join(project.dataDir, "ecs-emulator.json"), "utf8")).toContain(SECRET);
  });
});

describe("the local DynamoDB endpoint", () => {
  let running: LocalStack;
  let p2: ReturnType<typeof tempProject>;
  beforeAll(async () => {
    p2 = tempProject(JOBS);
    running = await startLocalStack({
      jobsDir: p2.jobsDir,
      dataDir: p2.dataDir,
      port: 0,
      token: "data-dir-secrets-token-0123",
      log: () => {},
      phaseMs: FAST_PHASES,
    });
  });
  afterAll(async () => {
    await running?.close();
    rmSync(p2.dir, { recursive: true, force: true });
  });

  it("refuses a scan with any credentials but the stack's own", async () => {
    for (const credentials of [
      { accessKeyId: "local", secretAccessKey: "local" },
      { accessKeyId: "LOCALSTACKACCESSKEY", secretAccessKey: "local-secret" },
    ]) {
      const client = new DynamoDBClient({
        endpoint: running.dynamodbUrl,
        region: running.region,
        credentials,
      });
      const error = await client.send(new ScanCommand({ TableName: "ecs-jobs-runs" })).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      client.destroy();
      expect(error?.name).toBe("UnrecognizedClientException");
    }
    const info = JSON.parse(readFileSync(join(p2.dataDir, "stack.json"), "utf8")) as {
      credentials: { accessKeyId: string; secretAccessKey: string };
    };
    expect(statSync(join(p2.dataDir, "stack.json")).mode & 0o777).toBe(0o600);
    const own = new DynamoDBClient({
      endpoint: running.dynamodbUrl,
      region: running.region,
      credentials: info.credentials,
    });
    expect((await own.send(new ScanCommand({ TableName: "ecs-jobs-runs" }))).Items).toEqual([]);
    own.destroy();
  });

  it("still serves the CLI, which finds the credentials in stack.json", async () => {
    const r = await cli(["runs", "--jobs", p2.jobsDir, "--json"], { cwd: p2.dir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });
});
