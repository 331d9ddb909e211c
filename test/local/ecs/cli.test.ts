/**
 * The real AWS CLI against the emulator (`--endpoint-url`). Needs `aws` on PATH: CI installs it; on a
 * workstation `apt-get install -y awscli` (or AWS's installer). Each call costs about a second of Python
 * start-up, so the calls are few.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EcsEmulator, startEcsEmulator } from "../../../local/ecs/index.ts";
import { expectAnswersMatchModel, FAST_PHASES } from "./support.ts";

let emu: EcsEmulator;
let home: string;

beforeAll(async () => {
  emu = await startEcsEmulator({
    phaseMs: FAST_PHASES,
    behaviour: () => ({ outcome: "succeed", durationSeconds: 600 }),
  });
  emu.registerTaskDefinition({
    family: "report",
    networkMode: "awsvpc",
    requiresCompatibilities: ["FARGATE"],
    cpu: "256",
    memory: "512",
    containerDefinitions: [{ name: "app", image: "alpine" }],
  });
  home = mkdtempSync(join(tmpdir(), "ecs-emulator-cli-"));
});
afterAll(async () => {
  expectAnswersMatchModel(emu);
  await emu.close();
  rmSync(home, { recursive: true, force: true });
});

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** No `aws` program (ENOENT), or a shim with nothing behind it (exit 127). */
  missing: boolean;
}

const MISSING_CLI =
  "The AWS CLI (`aws`) is not on PATH, so the emulator cannot be checked against it. Install it (e.g. `apt-get install -y awscli`) and run the tests again.";

function aws(args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      "aws",
      ["ecs", ...args, "--endpoint-url", emu.url, "--output", "json"],
      {
        timeout: 300_000,
        env: {
          PATH: process.env.PATH ?? "",
          HOME: home,
          AWS_ACCESS_KEY_ID: "x",
          AWS_SECRET_ACCESS_KEY: "x",
          AWS_DEFAULT_REGION: "eu-west-1",
          // Keep the developer's own AWS configuration out of the test.
          AWS_CONFIG_FILE: join(home, "config"),
          AWS_SHARED_CREDENTIALS_FILE: join(home, "credentials"),
          AWS_PAGER: "",
          AWS_EC2_METADATA_DISABLED: "true",
        },
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr, missing: error?.code === "ENOENT" || code === 127 });
      },
    );
  });
}

const json = (r: CliResult) => {
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>;
};

describe("aws ecs … --endpoint-url", () => {
  it("runs, describes, lists and stops a task, and prints ECS errors", async () => {
    const first = await aws([
      "run-task",
      "--task-definition",
      "report",
      "--launch-type",
      "FARGATE",
      "--count",
      "2",
      "--started-by",
      "ecs-jobs/report/cli",
      "--network-configuration",
      "awsvpcConfiguration={subnets=[subnet-0abc],assignPublicIp=DISABLED}",
    ]);
    if (first.missing) expect.fail(`${MISSING_CLI}\n${first.stderr}`);
    const run = json(first);
    const tasks = run.tasks as { taskArn: string; lastStatus: string; createdAt: unknown }[];
    expect(tasks).toHaveLength(2);
    expect(tasks[0]?.lastStatus).toBe("PROVISIONING");
    expect(run.failures).toEqual([]);
    const [a, b] = tasks.map((t) => t.taskArn) as [string, string];

    const described = json(await aws(["describe-tasks", "--tasks", a, b]));
    expect((described.tasks as { taskArn: string }[]).map((t) => t.taskArn)).toEqual([a, b]);
    // CLI v1 prints the wire's epoch seconds as they are, v2 as ISO 8601; either way the time is now.
    const createdAt = (described.tasks as { createdAt: number | string }[])[0]?.createdAt;
    const ms = typeof createdAt === "number" ? createdAt * 1000 : Date.parse(String(createdAt));
    expect(Math.abs(ms - Date.now())).toBeLessThan(60_000);

    const stopped = json(await aws(["stop-task", "--task", a, "--reason", "stopped from the CLI"]));
    expect(stopped.task).toMatchObject({ taskArn: a, desiredStatus: "STOPPED", stopCode: "UserInitiated" });

    const listed = json(await aws(["list-tasks", "--started-by", "ecs-jobs/report/cli"]));
    expect(listed.taskArns).toEqual([b]);

    const failed = await aws(["run-task", "--task-definition", "missing", "--cluster", "default"]);
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toContain(
      "An error occurred (ClientException) when calling the RunTask operation: TaskDefinition not found.",
    );
  });
});
