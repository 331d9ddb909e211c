/** `local.exec: true`: containers' commands run as local processes whose exit codes count. */

import { readFileSync } from "node:fs";
import {
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type Task,
} from "@aws-sdk/client-ecs";
import { afterEach, describe, expect, it } from "vitest";
import type { ContainerOutput } from "../../../local/ecs/index.ts";
import { AWSVPC, expectAnswersMatchModel, type Harness, harness, statusesOf } from "./support.ts";

const NODE = process.execPath;
let h: Harness;
const output: ContainerOutput[] = [];

afterEach(async () => {
  expectAnswersMatchModel(h.emu);
  await h.close();
  output.length = 0;
});

async function setUp(
  containers: { name: string; command?: string[]; essential?: boolean; stopTimeout?: number }[],
) {
  h = await harness({
    // The variables the override test sets are declared, as a job's allowlist would (exec-environment.test.ts).
    behaviour: () => ({
      outcome: "succeed",
      durationSeconds: 600,
      exec: true,
      execEnvironment: { fixed: [], overridable: ["FROM_OVERRIDE", "CODE"] },
    }),
    onContainerOutput: (o) => output.push(o),
  });
  await h.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: "job",
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      cpu: "256",
      memory: "512",
      containerDefinitions: containers.map((c) => ({
        image: "node:22",
        environment: [{ name: "FROM_DEFINITION", value: "def" }],
        ...c,
      })),
    }),
  );
}

async function run(
  overrides?: { name: string; command?: string[]; environment?: { name: string; value: string }[] }[],
) {
  const r = await h.ecs.send(
    new RunTaskCommand({
      taskDefinition: "job",
      launchType: "FARGATE",
      networkConfiguration: AWSVPC,
      ...(overrides && { overrides: { containerOverrides: overrides } }),
    }),
  );
  return r.tasks?.[0]?.taskArn as string;
}

const exitOf = (t: Task, name: string) => t.containers?.find((c) => c.name === name)?.exitCode;

describe("exec", () => {
  it("closing the emulator ends the container's processes and the processes they started", async () => {
    // The container starts a grandchild and prints its pid; only a kill of the whole group reaches it.
    const script =
      "const c = require('child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }); console.log('grandchild ' + c.pid); setInterval(() => {}, 1000);";
    await setUp([{ name: "app", command: [NODE, "-e", script] }]);
    await run();
    const pid = await new Promise<number>((resolve) => {
      const check = setInterval(() => {
        const line = output
          .map((o) => o.text)
          .join("")
          .match(/grandchild (\d+)/);
        if (line) {
          clearInterval(check);
          resolve(Number(line[1]));
        }
      }, 10);
    });
    // Alive = exists and is not a zombie (an orphan's zombie lingers where nothing reaps it).
    const alive = () => {
      try {
        return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
      } catch {
        return false;
      }
    };
    expect(alive()).toBe(true);
    await h.emu.close();
    // The kill is sent by close(); the process is gone once the OS has delivered it.
    for (let i = 0; i < 200 && alive(); i++) await new Promise((r) => setTimeout(r, 25));
    const survived = alive();
    if (survived) process.kill(pid, "SIGKILL");
    expect(survived).toBe(false);
  });

  it("the essential container's process exit code is the container's exit code", async () => {
    await setUp([{ name: "app", command: [NODE, "-e", "process.exit(7)"] }]);
    const arn = await run();
    const t = await h.emu.waitForTask(arn, "STOPPED");
    expect(t.stopCode).toBe("EssentialContainerExited");
    expect(exitOf(t, "app")).toBe(7);
    await h.emu.idle();
    expect(statusesOf(h.events, arn)).toContain("RUNNING");
  });

  it("runs the overridden command with the definition's and the override's environment, without a shell", async () => {
    await setUp([{ name: "app", command: [NODE, "-e", "process.exit(1)"] }]);
    const script =
      "console.log(process.env.FROM_DEFINITION + ' ' + process.env.FROM_OVERRIDE + ' ' + process.env.AWS_REGION + ' ' + process.argv[1]); process.exit(Number(process.env.CODE))";
    const arn = await run([
      {
        name: "app",
        command: [NODE, "-e", script, "$HOME"],
        environment: [
          { name: "FROM_OVERRIDE", value: "ovr" },
          { name: "CODE", value: "5" },
        ],
      },
    ]);
    const t = await h.emu.waitForTask(arn, "STOPPED");
    expect(exitOf(t, "app")).toBe(5);
    const stdout = output
      .filter((o) => o.stream === "stdout" && o.taskArn === arn)
      .map((o) => o.text)
      .join("");
    expect(stdout.trim()).toBe("def ovr eu-west-1 $HOME");
  });

  it("a command that cannot start fails the task to start, with the runtime's message", async () => {
    await setUp([{ name: "app", command: ["definitely-not-a-program-ecs-jobs"] }]);
    const arn = await run();
    const t = await h.emu.waitForTask(arn, "STOPPED");
    expect(t.stopCode).toBe("TaskFailedToStart");
    expect(t.stoppedReason).toContain(
      'exec: "definitely-not-a-program-ecs-jobs": executable file not found in $PATH',
    );
    expect(t.startedAt).toBeUndefined();
  });

  it("StopTask sends SIGTERM to the processes: a process that dies of it exits 143", async () => {
    await setUp([{ name: "app", command: [NODE, "-e", "setTimeout(() => {}, 60000)"] }]);
    const arn = await run();
    await h.emu.waitForTask(arn, "RUNNING");
    await h.ecs.send(new StopTaskCommand({ task: arn, reason: "user asked" }));
    const t = await h.emu.waitForTask(arn, "STOPPED");
    expect(t).toMatchObject({ stopCode: "UserInitiated", stoppedReason: "user asked" });
    expect(exitOf(t, "app")).toBe(143);
  });

  it("a process that ignores SIGTERM is killed after the container's stopTimeout (exit 137)", async () => {
    await setUp([
      {
        name: "app",
        command: [
          NODE,
          "-e",
          "process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000)",
        ],
        stopTimeout: 1,
      },
    ]);
    const arn = await run();
    await h.emu.waitForTask(arn, "RUNNING");
    // Only stop once the handler is installed.
    while (!output.some((o) => o.text.includes("ready"))) await new Promise((r) => setTimeout(r, 20));
    await h.ecs.send(new StopTaskCommand({ task: arn }));
    const t = await h.emu.waitForTask(arn, "STOPPED");
    expect(exitOf(t, "app")).toBe(137);
  });

  it("a non-essential process ending does not stop the task; the essential one does, and stops the rest", async () => {
    await setUp([
      { name: "app", command: [NODE, "-e", "setTimeout(() => process.exit(0), 400)"] },
      { name: "init", command: [NODE, "-e", "process.exit(2)"], essential: false },
      { name: "sidecar", command: [NODE, "-e", "setTimeout(() => {}, 60000)"], essential: false },
    ]);
    const arn = await run();
    const t = await h.emu.waitForTask(arn, "STOPPED");
    expect(exitOf(t, "app")).toBe(0);
    expect(exitOf(t, "init")).toBe(2);
    expect(exitOf(t, "sidecar")).toBe(143);
    expect(t.stopCode).toBe("EssentialContainerExited");
  });
});
