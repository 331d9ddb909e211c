/**
 * `ecs-jobs check --aws` against moto_server (moto 5), started here on a free loopback port: the account is
 * set up through the SDK, the CLI runs in-process with AWS_ENDPOINT_URL pointing at moto, and the problems
 * printed are compared with the ones this test planted.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CloudWatchLogsClient, CreateLogGroupCommand } from "@aws-sdk/client-cloudwatch-logs";
import {
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { CreateRepositoryCommand, ECRClient, PutImageCommand } from "@aws-sdk/client-ecr";
import { CreateClusterCommand, ECSClient, RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.ts";

const REGION = "eu-west-1";
const ACCOUNT = "123456789012"; // moto's default account
const credentials = { accessKeyId: "testing", secretAccessKey: "testing" };

let moto: ChildProcess | undefined;
let endpoint = "";

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

/** Resolves once moto answers (it takes a few seconds to import its backends); fails if it exits first. */
async function waitForMoto(child: ChildProcess, url: string): Promise<void> {
  let exited: number | null = null;
  child.once("exit", (code) => {
    exited = code ?? -1;
  });
  for (;;) {
    if (exited !== null) throw new Error(`moto_server exited with ${exited}`);
    try {
      const res = await fetch(`${url}/moto-api/reset`, { method: "POST" });
      if (res.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function setUpAccount() {
  const cfg = { region: REGION, credentials, endpoint };
  const ec2 = new EC2Client(cfg);
  const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc?.VpcId as string;
  const other = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.1.0.0/16" }))).Vpc?.VpcId as string;
  const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: "10.0.1.0/24" }))).Subnet
    ?.SubnetId as string;
  const sg = (
    await ec2.send(new CreateSecurityGroupCommand({ GroupName: "jobs", Description: "jobs", VpcId: vpc }))
  ).GroupId as string;
  const strayGroup = (
    await ec2.send(new CreateSecurityGroupCommand({ GroupName: "stray", Description: "stray", VpcId: other }))
  ).GroupId as string;

  const ecs = new ECSClient(cfg);
  await ecs.send(new CreateClusterCommand({ clusterName: "reports" }));
  const iam = new IAMClient(cfg);
  await iam.send(
    new CreateRoleCommand({
      RoleName: "report-exec",
      AssumeRolePolicyDocument: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" },
        ],
      }),
    }),
  );
  await new CloudWatchLogsClient(cfg).send(new CreateLogGroupCommand({ logGroupName: "/ecs/report" }));
  const ecr = new ECRClient(cfg);
  await ecr.send(new CreateRepositoryCommand({ repositoryName: "report" }));
  await ecr.send(
    new PutImageCommand({
      repositoryName: "report",
      imageTag: "1.4",
      imageManifest: JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.docker.distribution.manifest.v2+json",
        config: {
          mediaType: "application/vnd.docker.container.image.v1+json",
          size: 10,
          digest: `sha256:${"a".repeat(64)}`,
        },
        layers: [],
      }),
    }),
  );
  const image = (tag: string, repo = "report") => `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${repo}:${tag}`;
  const logs = (group: string) => ({
    logDriver: "awslogs" as const,
    options: { "awslogs-group": group, "awslogs-region": REGION, "awslogs-stream-prefix": "ecs" },
  });
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: "report",
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      cpu: "256",
      memory: "512",
      executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/report-exec`,
      containerDefinitions: [
        { name: "app", image: image("1.4"), essential: true, logConfiguration: logs("/ecs/report") },
      ],
    }),
  );
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: "legacy-import",
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      cpu: "256",
      memory: "512",
      executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/legacy-exec`,
      containerDefinitions: [
        { name: "importer", image: image("2.0"), essential: true, logConfiguration: logs("/ecs/legacy") },
        { name: "proxy", image: image("1", "gone"), essential: false },
        { name: "hub", image: "public.ecr.aws/nginx/nginx:1", essential: false },
      ],
    }),
  );
  await new SSMClient(cfg).send(
    new PutParameterCommand({ Name: "/ecs-jobs/webhook", Value: "s3cr3t-value", Type: "SecureString" }),
  );
  const secretArn = (
    await new SecretsManagerClient(cfg).send(new CreateSecretCommand({ Name: "ops/hook", SecretString: "x" }))
  ).ARN as string;
  return { vpc, other, subnet, sg, strayGroup, secretArn };
}

let account: Awaited<ReturnType<typeof setUpAccount>>;
let jobsDir = "";

beforeAll(async () => {
  const port = await freePort();
  endpoint = `http://127.0.0.1:${port}`;
  moto = spawn("moto_server", ["-H", "127.0.0.1", "-p", String(port)], { stdio: "ignore" });
  await waitForMoto(moto, endpoint);
  account = await setUpAccount();
  jobsDir = mkdtempSync(join(tmpdir(), "ecs-jobs-check-"));
  mkdirSync(jobsDir, { recursive: true });
  const hook = (secret: string) =>
    `alerts:\n  webhook:\n    url: https://hooks.example.com/x\n    secretParameter: "${secret}"\n`;
  writeFileSync(
    join(jobsDir, "report.yml"),
    `task:\n  cluster: reports\n  taskDefinition: report:1\n  launchType: FARGATE\n  network:\n    subnets: [${account.subnet}]\n    securityGroups: [${account.sg}]\n  overrides:\n    containers:\n      - name: app\n        command: [node, build.js]\n${hook("/ecs-jobs/webhook")}`,
  );
  writeFileSync(
    join(jobsDir, "legacy-import.yml"),
    `task:\n  cluster: legacy\n  taskDefinition: legacy-import:1\n  launchType: FARGATE\n  network:\n    subnets: [${account.subnet}, subnet-0000000000000dead]\n    securityGroups: [${account.strayGroup}, sg-0000000000000dead]\n  overrides:\n    taskRoleArn: arn:aws:iam::${ACCOUNT}:role/legacy-task\n    containers:\n      - name: app\n        command: [import]\nalerts:\n  webhook:\n    url: http://127.0.0.1:9/hook\n    secretParameter: /ecs-jobs/missing\n`,
  );
  writeFileSync(
    join(jobsDir, "sm-hook.yml"),
    `task:\n  cluster: reports\n  taskDefinition: report\n  launchType: FARGATE\n  network:\n    subnets: [${account.subnet}]\n${hook(account.secretArn)}`,
  );
});

afterAll(() => {
  moto?.kill();
});

async function check(args: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(["check", "--aws", "--jobs", jobsDir, ...args], {
    io: {
      stdout: (t) => {
        stdout += t;
      },
      stderr: (t) => {
        stderr += t;
      },
      cwd: jobsDir,
      env: {
        AWS_REGION: REGION,
        AWS_ENDPOINT_URL: endpoint,
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      },
    },
  });
  return { code, stdout, stderr };
}

describe("ecs-jobs check --aws (moto)", () => {
  it("passes a job whose cluster, task definition, network, roles, logs, image and secret exist", async () => {
    for (const name of ["report", "sm-hook"]) {
      const out = await check([name]);
      expect(out).toMatchObject({ code: 0, stdout: "ok: 1 job(s) checked, no problem found\n" });
    }
  });

  it("names every problem of the legacy job as job: path: message, and exits 1", async () => {
    const out = await check(["legacy-import"]);
    expect(out.code).toBe(1);
    expect(out.stdout.trim().split("\n").sort()).toEqual(
      [
        "legacy-import: task.cluster: cluster legacy not found",
        "legacy-import: task.overrides.containers[0].name: container app is not in legacy-import:1 (it has importer, proxy, hub)",
        "legacy-import: task.taskDefinition: legacy-import:1's executionRoleArn legacy-exec not found",
        "legacy-import: task.taskDefinition: log group /ecs/legacy of container importer does not exist (and awslogs-create-group is not true)",
        `legacy-import: task.taskDefinition: image ${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/report:2.0 of container importer not found in ECR (no image tagged 2.0)`,
        `legacy-import: task.taskDefinition: image ${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/gone:1 of container proxy not found in ECR (no repository gone)`,
        "legacy-import: task.network.subnets[1]: subnet subnet-0000000000000dead not found",
        `legacy-import: task.network.securityGroups[0]: security group ${account.strayGroup} is in ${account.other}, the subnets in ${account.vpc}`,
        "legacy-import: task.network.securityGroups[1]: security group sg-0000000000000dead not found",
        "legacy-import: task.overrides.taskRoleArn: role legacy-task not found",
        "legacy-import: alerts.webhook.url: plain http is posted in local mode only; AWS needs https",
        "legacy-import: alerts.webhook.secretParameter: SSM parameter /ecs-jobs/missing not found",
      ].sort(),
    );
    expect(out.stderr).toBe("12 problem(s) in 1 job(s)\n");
  });

  it("checks every job without a name, and --json gives the problems for a pipeline", async () => {
    const out = await check(["--json"]);
    expect(out.code).toBe(1);
    const parsed = JSON.parse(out.stdout) as { jobs: string[]; problems: { job: string }[] };
    expect(parsed.jobs.sort()).toEqual(["legacy-import", "report", "sm-hook"]);
    expect(new Set(parsed.problems.map((p) => p.job))).toEqual(new Set(["legacy-import"]));
    expect(out.stdout).not.toContain("s3cr3t-value");
  });

  it("is a usage error without --aws or without a region", async () => {
    const code = await runCli(["check", "--jobs", jobsDir], {
      io: { stdout: () => {}, stderr: () => {}, cwd: jobsDir, env: {} },
    });
    expect(code).toBe(2);
  });
});
