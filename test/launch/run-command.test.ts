import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ECSClient, RunTaskCommand } from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { Command } from "commander";
import { afterEach, describe, expect, it } from "vitest";
import { statusLine } from "../../src/app/follow-run.ts";
import { cliDeps } from "../../src/cli/command-deps.ts";
import { registerRun, requestFromSets } from "../../src/cli/commands/run.ts";
import { CliExit, type CliIo } from "../../src/cli/context.ts";
import { exitCodeFor } from "../../src/cli/main.ts";
import { taskEvent } from "../support/events.ts";
import { awsError, ecsTask, NOW, ROOT, type TestDeps, testDeps } from "./harness.ts";

const ecs = mockClient(ECSClient);
afterEach(() => {
  ecs.reset();
});

async function run(argv: string[], deps: TestDeps) {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    cwd: ROOT,
    env: { USER: "tester" },
  };
  const program = new Command().exitOverride();
  registerRun(
    program,
    io,
    () => NOW,
    async () => deps,
  );
  for (const c of program.commands)
    c.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  let code = 0;
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CliExit) code = error.exitCode;
    else throw error;
  }
  return { code, stdout, stderr };
}

/** The status handler's part, played by the fake sleep: each wait delivers the next task event. */
function progressing(deps: TestDeps, taskArn: string, exitCode: number) {
  const steps = [
    taskEvent({ lastStatus: "RUNNING", version: 3, taskArn, containers: [{ name: "export" }] }),
    taskEvent({ lastStatus: "STOPPED", version: 5, taskArn, containers: [{ name: "export", exitCode }] }),
  ];
  deps.sleep = async () => {
    const event = steps.shift();
    const [run] = deps.ledger.runs.values();
    if (event && run) await deps.ledger.applyTaskEvents(run.runId, [event.detail]);
  };
}

describe("ecs-jobs run", () => {
  it("launches one run now with --set overrides and prints it as JSON", async () => {
    ecs.on(RunTaskCommand).resolves({ tasks: [ecsTask(), ecsTask()] });
    const deps = testDeps();
    const r = await run(
      [
        "run",
        "customer-export",
        "--set",
        "count=2",
        "--set",
        "environment.CUSTOMER_ID=c-1",
        "--set",
        "export.command=python x.py",
        "--json",
      ],
      deps,
    );
    expect(r.code).toBe(0);
    const printed = JSON.parse(r.stdout) as { runId: string; trigger: { kind: string; by: string } };
    expect(printed.trigger).toMatchObject({ kind: "cli", by: "cli:tester" });
    // The run keeps the value for its retries; what is printed names the variable only.
    expect(printed).toMatchObject({
      overrides: { containers: { export: { environment: { CUSTOMER_ID: "(redacted)" } } } },
    });
    expect(r.stdout).not.toContain("c-1");
    expect((await deps.ledger.get(printed.runId))?.overrides?.containers?.export?.environment).toEqual({
      CUSTOMER_ID: "c-1",
    });
    const input = ecs.commandCalls(RunTaskCommand)[0]?.args[0].input;
    expect(input?.count).toBe(2);
    expect(input?.overrides?.containerOverrides?.[0]).toEqual({
      name: "export",
      command: ["python", "x.py"],
      environment: [
        { name: "CUSTOMER_ID", value: "c-1" },
        { name: "FORMAT", value: "csv" },
      ],
    });
  });

  it("--wait follows the run live and exits 0 only when it SUCCEEDED", async () => {
    const task = ecsTask({ containers: ["export"] });
    ecs.on(RunTaskCommand).resolves({ tasks: [task] });
    const deps = testDeps();
    progressing(deps, task.taskArn as string, 0);
    const ok = await run(["run", "customer-export", "--wait"], deps);
    expect(ok.code).toBe(0);
    const lines = ok.stdout
      .split("\n")
      .filter((l) => /^\s+\d\d:\d\d:\d\d /.test(l))
      .map((l) => l.slice(11));
    expect(lines).toEqual([
      "PENDING — tasks: 1 PROVISIONING",
      "RUNNING — tasks: 1 RUNNING",
      "SUCCEEDED — tasks: 1 STOPPED",
    ]);

    ecs.reset();
    const failing = ecsTask({ containers: ["export"] });
    ecs.on(RunTaskCommand).resolves({ tasks: [failing] });
    const deps2 = testDeps();
    progressing(deps2, failing.taskArn as string, 3);
    const bad = await run(["run", "customer-export", "--wait"], deps2);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/FAILED/);
    expect(bad.stdout).toMatch(/hint: .*exited with code 3/);
  });

  it("--wait: Ctrl+C is already caught when the first line (which may say RUNNING) is printed", async () => {
    const task = ecsTask({ containers: ["export"] });
    ecs.on(RunTaskCommand).resolves({ tasks: [task] });
    const deps = testDeps();
    progressing(deps, task.taskArn as string, 0);
    const before = process.listenerCount("SIGINT");
    // What a caller sees when it reacts to the first line: a SIGINT then must stop following, not kill.
    const listenersAtFirstLine: number[] = [];
    const io: CliIo = {
      stdout: () => {
        if (listenersAtFirstLine.length === 0) listenersAtFirstLine.push(process.listenerCount("SIGINT"));
      },
      stderr: () => {},
      cwd: ROOT,
      env: { USER: "tester" },
    };
    const program = new Command().exitOverride();
    registerRun(
      program,
      io,
      () => NOW,
      async () => deps,
    );
    await program.parseAsync(["run", "customer-export", "--wait"], { from: "user" });
    expect(listenersAtFirstLine).toEqual([before + 1]);
    // Removed once following ends.
    expect(process.listenerCount("SIGINT")).toBe(before);
  });

  it("exits 1 when the run fails at launch, 2 for a malformed --set", async () => {
    ecs.on(RunTaskCommand).resolves({ failures: [{ reason: "RESOURCE:MEMORY" }] });
    expect((await run(["run", "customer-export"], testDeps())).code).toBe(1);
    const usage = await run(["run", "customer-export", "--set", "nonsense"], testDeps());
    expect(usage.code).toBe(2);
    const range = await run(["run", "customer-export", "--set", "count=0"], testDeps());
    expect(range.code).toBe(2);
    expect(ecs).toHaveReceivedCommandTimes(RunTaskCommand, 1);
  });
});

describe("a launch whose RunTask failed past the SDK's retries", () => {
  it("prints the FAILED run naming the job, the cluster and the AWS error, exits 1, no stack trace", async () => {
    // What the SDK throws for an HTML error page: a SyntaxError carrying the response's metadata.
    const unreadable = Object.assign(new SyntaxError(`Unexpected token '<', "<html>" is not valid JSON`), {
      $metadata: { httpStatusCode: 502 },
    });
    ecs.on(RunTaskCommand).rejects(unreadable);
    const out = await run(["run", "customer-export"], testDeps());
    expect(out.code).toBe(1);
    expect(out.stderr).toBe("");
    expect(out.stdout).toMatch(/^run \S+ of customer-export: FAILED/);
    expect(out.stdout).toMatch(/hint: ECS answered RunTask on cluster \S+ \(batch 1 of 1\) with SyntaxError/);
    expect(out.stdout).not.toMatch(/\n\s+at /);
    ecs.on(RunTaskCommand).rejects(awsError("ThrottlingException", 400, "Rate exceeded"));
    const throttled = await run(["run", "customer-export"], testDeps());
    expect(throttled.code).toBe(1);
    expect(throttled.stdout).toMatch(/with ThrottlingException, after the SDK's retries: Rate exceeded/);
  });

  it("any other AWS error reaching the CLI is one line naming it, exit 1", () => {
    let stderr = "";
    const unreadable = Object.assign(new SyntaxError("Unexpected token '<'\n  Deserialization error: …"), {
      $metadata: { httpStatusCode: 500 },
    });
    const io = {
      stderr: (t: string) => {
        stderr += t;
      },
    };
    expect(exitCodeFor(unreadable, io)).toBe(1);
    expect(stderr).toBe("error: AWS answered SyntaxError (HTTP 500): Unexpected token '<'\n");
  });
});

describe("requestFromSets", () => {
  it("builds the same request body HTTP callers send", () => {
    expect(
      requestFromSets([
        "count=3",
        "cpu=1024",
        'command=["node","a b.js"]',
        "environment.A=x=y",
        "worker.environment.B=",
      ]),
    ).toEqual({
      count: 3,
      overrides: {
        cpu: "1024",
        command: ["node", "a b.js"],
        environment: { A: "x=y" },
        containers: { worker: { environment: { B: "" } } },
      },
    });
  });

  it.each([
    "count=0",
    "count=x",
    "nonsense",
    "environment.__proto__=1",
    "__proto__.command=x",
    "command=[1]",
  ])("refuses %s as a usage error", (set) => {
    expect(() => requestFromSets([set])).toThrow(expect.objectContaining({ exitCode: 2 }));
  });
});

describe("cliDeps", () => {
  const io = (env: Record<string, string>): CliIo => ({
    stdout: () => {},
    stderr: () => {},
    cwd: mkdtempSync(join(tmpdir(), "ecs-jobs-cli-")),
    env,
  });

  it("says clearly when the local stack is not running", async () => {
    await expect(cliDeps(io({}), { jobsDir: join(ROOT, "jobs") })).rejects.toThrow(
      /local stack is not running .*ecs-jobs dev.*--aws/,
    );
    await expect(
      cliDeps(
        io({ ECS_JOBS_ECS_ENDPOINT: "http://127.0.0.1:9", ECS_JOBS_DYNAMODB_ENDPOINT: "http://127.0.0.1:9" }),
        {
          jobsDir: join(ROOT, "jobs"),
        },
      ),
    ).rejects.toThrow(/nothing answers at http:\/\/127\.0\.0\.1:9/);
  });

  it("with --aws builds real clients for the environment's region and the deployed table", async () => {
    const deps = await cliDeps(io({ AWS_REGION: "eu-west-1", ECS_JOBS_STAGE: "prod" }), {
      aws: true,
      jobsDir: join(ROOT, "jobs"),
    });
    expect(deps.config.tableName).toBe("ecs-jobs-prod-runs");
    expect(await deps.clients.ecs.config.region()).toBe("eu-west-1");
    expect(deps.catalog.get("nightly-report")).toBeDefined();
  });
});

describe("statusLine", () => {
  it("prefers live ECS statuses for tasks the ledger has not seen stop", () => {
    const run = {
      runId: "r",
      job: "j",
      status: "RUNNING" as const,
      trigger: { kind: "cli" as const, id: "x" },
      attempt: 1,
      createdAt: NOW.toISOString(),
      failures: [{ reason: "RESOURCE:CPU" }],
      tasks: [
        { taskArn: "a", lastStatus: "PENDING", containers: [] },
        { taskArn: "b", lastStatus: "STOPPED", containers: [] },
      ],
    };
    expect(
      statusLine(
        run,
        new Map([
          ["a", "RUNNING"],
          ["b", "RUNNING"],
        ]),
      ),
    ).toBe("RUNNING — tasks: 1 RUNNING, 1 STOPPED, 1 not placed");
  });
});
