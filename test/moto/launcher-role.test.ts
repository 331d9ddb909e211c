/**
 * A launch through a launcher role (deploy/launchers.ts, src/launch/launcher-credentials.ts) against moto: the
 * function's credentials assume the job's launcher role with moto's STS, and RunTask goes out signed with the
 * temporary credentials STS answered, not the function's. moto does not enforce IAM (MOTO-FAULTS.md), so what
 * is asserted is what moto can show: which role was assumed (GetCallerIdentity of the credentials used), that
 * RunTask was signed with them, and that moto ran the task.
 */
import { randomUUID } from "node:crypto";
import { DescribeTasksCommand, ECSClient } from "@aws-sdk/client-ecs";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { beforeAll, describe, expect, it } from "vitest";
import { createScheduleHandler } from "../../handlers/schedule.ts";
import type { Deps } from "../../src/app/deps.ts";
import { catalogOf } from "../../src/catalog/catalog.ts";
import { DEFAULT_CONFIG } from "../../src/config.ts";
import { type CredentialProvider, createLaunchers } from "../../src/launch/launcher-credentials.ts";
import { createDynamoLedger } from "../../src/ledger/dynamo.ts";
import { lambdaContext, recordingLog } from "../launch/harness.ts";
import { motoClients } from "./support/clients.ts";
import { createCluster, registerTaskDefinition } from "./support/ecs.ts";
import { MOTO_ACCOUNT, MOTO_REGION, useMoto } from "./support/moto.ts";
import { type Deployed, deployStack } from "./support/stack.ts";

const moto = useMoto();
let deployed: Deployed;
const LAUNCHER = "ecs-jobs-test-eu-west-1-launcher-1";

beforeAll(async () => {
  deployed = await deployStack(moto, "test");
  await createCluster(moto, "jobs");
  await registerTaskDefinition(moto, "legacy-import:2");
  // The launcher role as the stack creates it: trusting the launching function roles only.
  await new IAMClient({ ...moto.client, maxAttempts: 1 }).send(
    new CreateRoleCommand({
      RoleName: LAUNCHER,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { AWS: `arn:aws:iam::${MOTO_ACCOUNT}:role/ecs-jobs-test-schedule` },
            Action: "sts:AssumeRole",
          },
        ],
      }),
    }),
  );
}, 90_000);

interface Signed {
  command: string;
  /** The access key id in the request's SigV4 Authorization header. */
  accessKeyId: string;
  securityToken: boolean;
}

/** Records, for every request a client sends, the key it was signed with (after signing: deserialize step). */
function recordSigning(client: ECSClient, into: Signed[]): ECSClient {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const headers = (args.request as { headers: Record<string, string> }).headers;
      const key = /Credential=([^/]+)\//.exec(headers.authorization ?? "")?.[1] ?? "";
      into.push({
        command: context.commandName ?? "",
        accessKeyId: key,
        securityToken: "x-amz-security-token" in headers,
      });
      return next(args);
    },
    { step: "deserialize", name: "recordSigning" },
  );
  return client;
}

function launcherDeps(roles: Record<string, { RunTask?: string }>) {
  const clients = motoClients(moto, { maxAttempts: 1 });
  const signed: Signed[] = [];
  recordSigning(clients.ecs, signed);
  let assumeRoleCalls = 0;
  const launcherClients: ECSClient[] = [];
  const launchers = createLaunchers({
    roles,
    roleArnPrefix: `arn:aws:iam::${MOTO_ACCOUNT}:role/`,
    sessionName: "ecs-jobs-test-schedule",
    // The function's own credentials sign the AssumeRole call, as in Lambda.
    sts: { region: MOTO_REGION, endpoint: moto.url, credentials: moto.client.credentials, maxAttempts: 1 },
    ecsClient: (credentials: CredentialProvider) => {
      const counted: CredentialProvider = () => {
        assumeRoleCalls++;
        return credentials();
      };
      const client = new ECSClient({
        region: MOTO_REGION,
        endpoint: moto.url,
        credentials: counted,
        maxAttempts: 1,
      });
      launcherClients.push(recordSigning(client, signed));
      return client;
    },
  });
  const deps: Deps = {
    clients,
    ledger: createDynamoLedger(clients.dynamodb, { tableName: deployed.tableName, retentionDays: 1 }),
    catalog: catalogOf(deployed.jobs, roles),
    config: {
      ...DEFAULT_CONFIG,
      tableName: deployed.tableName,
      scheduleGroup: deployed.scheduleGroup,
      region: MOTO_REGION,
    },
    now: () => new Date(),
    log: recordingLog(),
    sleep: async () => {},
    launchers,
  };
  return { deps, signed, launcherClients, assumeRoleCalls: () => assumeRoleCalls };
}

const fire = (deps: Deps, job: string, scheduledTime: string) =>
  createScheduleHandler(async () => deps)(
    { job, executionId: randomUUID(), scheduledTime } as never,
    lambdaContext,
  );

describe("a launch through a launcher role, against moto's STS and ECS", () => {
  it("assumes the job's launcher role once per container and signs RunTask with the temporary credentials", async () => {
    const { deps, signed, launcherClients, assumeRoleCalls } = launcherDeps({
      "legacy-import": { RunTask: LAUNCHER },
    });
    await fire(deps, "legacy-import", "2026-12-05T02:00:00Z");
    const [run] = (await deps.ledger.listByJob("legacy-import", { limit: 5 })).runs;
    expect(run?.status).not.toBe("FAILED");
    expect(run?.tasks).toHaveLength(1);

    // The credentials the launcher client used are those of the assumed launcher role.
    expect(launcherClients).toHaveLength(1);
    const temporary = await (launcherClients[0] as ECSClient).config.credentials();
    const identity = await new STSClient({ ...moto.client, credentials: temporary, maxAttempts: 1 }).send(
      new GetCallerIdentityCommand({}),
    );
    expect(identity.Arn).toBe(`arn:aws:sts::${MOTO_ACCOUNT}:assumed-role/${LAUNCHER}/ecs-jobs-test-schedule`);
    expect(temporary.accessKeyId).not.toBe(moto.client.credentials.accessKeyId);

    // RunTask went out signed with them, with their session token; nothing else did.
    const runTasks = signed.filter((s) => s.command === "RunTaskCommand");
    expect(runTasks).toEqual([
      { command: "RunTaskCommand", accessKeyId: temporary.accessKeyId, securityToken: true },
    ]);
    for (const other of signed.filter((s) => s.command !== "RunTaskCommand")) {
      expect(other.accessKeyId, other.command).toBe(moto.client.credentials.accessKeyId);
    }
    const described = await deps.clients.ecs.send(
      new DescribeTasksCommand({ cluster: "jobs", tasks: [run?.tasks[0]?.taskArn as string] }),
    );
    expect(described.tasks?.[0]?.taskDefinitionArn).toMatch(/:task-definition\/legacy-import:2$/);

    // A second launch in the same container reuses the client and its credentials: no second AssumeRole.
    await fire(deps, "legacy-import", "2026-12-06T02:00:00Z");
    expect(launcherClients).toHaveLength(1);
    expect(assumeRoleCalls()).toBe(1);
    expect(signed.filter((s) => s.command === "RunTaskCommand").map((s) => s.accessKeyId)).toEqual([
      temporary.accessKeyId,
      temporary.accessKeyId,
    ]);
  });

  it("launches a job the catalogue gives no launcher role with the function's own credentials, and assumes nothing", async () => {
    const { deps, signed, launcherClients, assumeRoleCalls } = launcherDeps({});
    await fire(deps, "legacy-import", "2026-12-07T02:00:00Z");
    const runs = (await deps.ledger.listByJob("legacy-import", { limit: 5 })).runs;
    const run = runs.find(
      (r) => Date.parse(r.trigger.scheduledTime ?? "") === Date.parse("2026-12-07T02:00:00Z"),
    );
    expect(run?.tasks).toHaveLength(1);
    expect(launcherClients).toHaveLength(0);
    expect(assumeRoleCalls()).toBe(0);
    const runTasks = signed.filter((s) => s.command === "RunTaskCommand");
    expect(runTasks.length).toBeGreaterThan(0);
    for (const s of runTasks) expect(s.accessKeyId).toBe(moto.client.credentials.accessKeyId);
  });
});
