/**
 * The real `serverless deploy function -f NAME` (osls) against moto's Lambda, through a proxy that keeps what
 * osls sent: the zip it uploads is the one `serverless package` makes for that function (its entry, the
 * chunks it reaches, the catalogue; nothing of the other handlers), and the function keeps the role and the
 * environment the stack gave it, launcher roles' ARN prefix included; when the jobs need launcher roles the
 * deployed stack lacks, nothing is uploaded and the user is told to run `serverless deploy`.
 * In the package project (vitest.config.ts): it compares with the shared package of the example jobs.
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import {
  CreateFunctionCommand,
  GetFunctionCommand,
  LambdaClient,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FUNCTION_KEYS, type FunctionKey, HANDLERS } from "../../deploy/functions.ts";
import { realisticFamily } from "../../gen/family-names.ts";
import { generateJobFiles, writeJobsFolder } from "../../gen/job-files.ts";
import { runServerless, serviceFolder } from "../../gen/package-run.ts";
import { importClosure } from "../deploy/bundle-imports.ts";
import { expectLoads } from "../deploy/bundle-loads.ts";
import { distinctFamilies } from "../deploy/distinct-families.ts";
import { examplePackage } from "../deploy/shared-package.ts";
import { readZip, readZipData } from "../deploy/zip.ts";
import { MOTO_ACCOUNT, MOTO_REGION, useMoto } from "./support/moto.ts";
import { type RecordingProxy, recordingProxy } from "./support/recording-proxy.ts";

/**
 * One osls run costs ~5 s of CPU: `npm test` deploys status (static and import() chunks, like every
 * handler); `npm run test:deep` sets DEPLOY_FUNCTION_ALL=1 and deploys each of the five.
 */
const KEYS: readonly FunctionKey[] = process.env.DEPLOY_FUNCTION_ALL ? FUNCTION_KEYS : ["status"];

const moto = useMoto();
let proxy: RecordingProxy;
let lambda: LambdaClient;

const HANDLER_ENTRIES = Object.values(HANDLERS).map((h) => `${h.slice(0, h.lastIndexOf("."))}.mjs`);
const PREFIX = `arn:aws:iam::${MOTO_ACCOUNT}:role/`;
/** The environment CloudFormation gave the functions (serverless.yml's, references resolved). */
const STACK_ENVIRONMENT = {
  ECS_JOBS_TABLE: "ecs-jobs-test-EcsJobsRunsTable-1ABCDEF",
  ECS_JOBS_EVENT_BUS: "default",
  ECS_JOBS_SCHEDULE_GROUP: "ecs-jobs-test",
  ECS_JOBS_RETENTION_DAYS: "90",
  ECS_JOBS_CATALOG: "./jobs.json",
  ECS_JOBS_RETRY_QUEUE: "https://sqs.eu-west-1.amazonaws.com/123456789012/ecs-jobs-test-task-events",
};

/** The function as `serverless deploy` left it: its generated role, the stack's environment, older code. */
async function deployed(
  key: string,
  variables: Record<string, string>,
): Promise<{ role: string; sha: string }> {
  const iam = new IAMClient({ ...moto.client, maxAttempts: 1 });
  const { Role } = await iam.send(
    new CreateRoleCommand({
      RoleName: `ecs-jobs-test-EcsJobs${key}Role-1A2B3C4D5E6F`,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
        ],
      }),
    }),
  );
  const created = await lambda.send(
    new CreateFunctionCommand({
      FunctionName: `ecs-jobs-test-${key}`,
      Runtime: "nodejs22.x",
      Handler: `handlers/${key}.handler`,
      Role: Role?.Arn,
      Code: {
        ZipFile: zipSync({ "handlers/old.mjs": new TextEncoder().encode("export const handler = () => 1;") }),
      },
      Environment: { Variables: variables },
    }),
  );
  return { role: Role?.Arn ?? "", sha: created.CodeSha256 ?? "" };
}

async function deployFunction(key: string, jobsDir = "") {
  const from = proxy.requests.length;
  const run = await runServerless(
    serviceFolder(),
    ["deploy", "function", "-f", key, "--stage", "test", "--region", MOTO_REGION],
    {
      env: { ...process.env, ...moto.env, AWS_ENDPOINT_URL: proxy.url, ECS_JOBS_DIR: jobsDir },
    },
  );
  console.info(
    `serverless deploy function -f ${key}${jobsDir ? " (1,000 jobs)" : ""}: ${run.ms} ms, exit ${run.code}`,
  );
  const sent = proxy.requests.slice(from);
  const ofPath = (suffix: string) =>
    sent.filter(
      (r) => r.method === "PUT" && r.path === `/2015-03-31/functions/ecs-jobs-test-${key}/${suffix}`,
    );
  return {
    run,
    /** The bytes of every UpdateFunctionCode osls sent. */
    uploads: ofPath("code").map((r) =>
      Buffer.from(JSON.parse(r.body.toString("utf8")).ZipFile as string, "base64"),
    ),
    configurations: ofPath("configuration").map(
      (r) => JSON.parse(r.body.toString("utf8")) as Record<string, unknown>,
    ),
  };
}

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("base64");

beforeAll(async () => {
  proxy = await recordingProxy(moto.url);
  lambda = new LambdaClient({ ...moto.client, maxAttempts: 1 });
});
afterAll(async () => {
  await proxy?.close();
});

describe("serverless deploy function", () => {
  it.each(KEYS)(
    "-f %s uploads the zip `serverless package` makes for it, and keeps the stack's role and environment",
    async (key) => {
      const before = await deployed(key, STACK_ENVIRONMENT);
      const { run, uploads, configurations } = await deployFunction(key);
      expect(run.output).not.toMatch(/TypeError|Error:/);
      expect(run.code, run.output).toBe(0);
      expect(uploads).toHaveLength(1);
      const upload = uploads[0] as Buffer;
      const now = await lambda.send(new GetFunctionCommand({ FunctionName: `ecs-jobs-test-${key}` }));
      // What moto holds is what was sent (Lambda's CodeSha256 is the base64 SHA-256 of the zip).
      expect(now.Configuration?.CodeSha256).toBe(sha256(upload));
      expect(now.Configuration?.CodeSha256).not.toBe(before.sha);

      const zip = readZipData(upload);
      const pkg = await examplePackage();
      const logicalId = `${key[0]?.toUpperCase()}${key.slice(1)}LambdaFunction`;
      const code = pkg.template.Resources[logicalId]?.Properties.Code as { S3Key: string };
      const packaged = readZip(join(pkg.dir, code.S3Key.split("/").pop() as string));
      expect([...zip.keys()].sort()).toEqual([...packaged.keys()].sort());
      for (const [name, data] of packaged) expect(zip.get(name)?.equals(data), name).toBe(true);

      const entry = `${HANDLERS[key].slice(0, HANDLERS[key].lastIndexOf("."))}.mjs`;
      const all = importClosure(zip, entry, { dynamic: true });
      expect(all.missing).toEqual([]);
      expect([...zip.keys()].sort()).toEqual(["jobs.json", ...all.reached].sort());
      expect(all.reached.filter((f) => HANDLER_ENTRIES.includes(f))).toEqual([entry]);
      // Chunks behind import() are there too, not only the ones loaded at once.
      expect(importClosure(zip, entry, { dynamic: false }).reached.length).toBeLessThan(all.reached.length);
      await expectLoads(`deploy-function-${key}`, zip, entry, all.reached);

      expect(now.Configuration?.Role).toBe(before.role);
      expect(now.Configuration?.Environment?.Variables).toEqual(STACK_ENVIRONMENT);
      for (const c of configurations) expect(c.Role === undefined || c.Role === before.role).toBe(true);
    },
  );

  describe("when the jobs launch through launcher roles (1,000 families)", () => {
    let jobsDir: string;
    beforeAll(async () => {
      // The functions above are deployed already: a fresh account.
      await moto.reset();
      jobsDir = writeJobsFolder(distinctFamilies(generateJobFiles(1000), 0, realisticFamily));
    });

    it("uploads nothing, and says to run `serverless deploy`, if the deployed stack has no launcher roles", async () => {
      const before = await deployed("sweeper", STACK_ENVIRONMENT);
      const { run, uploads, configurations } = await deployFunction("sweeper", jobsDir);
      expect(run.code).not.toBe(0);
      expect(run.output).toContain("ecs-jobs: deploy function sweeper: the jobs now launch through");
      expect(run.output).toContain(
        "Nothing was uploaded; run `serverless deploy` (the whole stack) instead of `serverless deploy function -f sweeper`.",
      );
      expect(run.output).not.toMatch(/TypeError|\n\s+at /);
      expect(uploads).toEqual([]);
      expect(configurations).toEqual([]);
      const now = await lambda.send(new GetFunctionCommand({ FunctionName: "ecs-jobs-test-sweeper" }));
      expect(now.Configuration?.CodeSha256).toBe(before.sha);
    });

    it("keeps the launcher roles' ARN prefix the stack set, and ships the catalogue naming them", async () => {
      await lambda.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: "ecs-jobs-test-sweeper",
          Environment: { Variables: { ...STACK_ENVIRONMENT, ECS_JOBS_LAUNCHER_ROLE_ARN_PREFIX: PREFIX } },
        }),
      );
      const { run, uploads } = await deployFunction("sweeper", jobsDir);
      expect(run.code, run.output).toBe(0);
      expect(uploads).toHaveLength(1);
      const zip = readZipData(uploads[0] as Buffer);
      const catalogue = JSON.parse(zip.get("jobs.json")?.toString("utf8") ?? "{}") as {
        jobs: unknown[];
        launcherRoles: Record<string, { RunTask?: string }>;
      };
      expect(catalogue.jobs).toHaveLength(1000);
      const roles = new Set(Object.values(catalogue.launcherRoles).flatMap((r) => Object.values(r)));
      expect(roles.size).toBeGreaterThan(1);
      for (const role of roles) expect(role).toMatch(/^ecs-jobs-test-eu-west-1-launcher-\d+$/);
      const all = importClosure(zip, "handlers/sweeper.mjs", { dynamic: true });
      expect(all.missing).toEqual([]);
      expect([...zip.keys()].sort()).toEqual(["jobs.json", ...all.reached].sort());
      const now = await lambda.send(new GetFunctionCommand({ FunctionName: "ecs-jobs-test-sweeper" }));
      expect(now.Configuration?.CodeSha256).toBe(sha256(uploads[0] as Buffer));
      expect(now.Configuration?.Environment?.Variables).toEqual({
        ...STACK_ENVIRONMENT,
        ECS_JOBS_LAUNCHER_ROLE_ARN_PREFIX: PREFIX,
      });
    });
  });
});
