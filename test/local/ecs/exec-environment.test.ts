/**
 * `local.exec: true` runs a container's command on this machine, so the environment a caller may give it is
 * bounded (src/jobspec/exec-environment.ts): only variables the job declares, never loader/shell variables, and
 * nothing of the stack's own environment (its token, AWS credentials) leaks into the process.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RegisterTaskDefinitionCommand, RunTaskCommand, type Task } from "@aws-sdk/client-ecs";
import { afterEach, describe, expect, it } from "vitest";
import type { ContainerOutput, LocalBehaviour } from "../../../local/ecs/index.ts";
import { AWSVPC, type Harness, harness } from "./support.ts";

const NODE = process.execPath;
let h: Harness | undefined;
const output: ContainerOutput[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await h?.close();
  h = undefined;
  output.length = 0;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function start(execEnvironment: LocalBehaviour["execEnvironment"], command: string[]) {
  h = await harness({
    behaviour: () => ({
      outcome: "succeed",
      durationSeconds: 600,
      exec: true,
      ...(execEnvironment && { execEnvironment }),
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
      containerDefinitions: [{ name: "app", image: "node:22", command }],
    }),
  );
}

async function runWith(environment: { name: string; value: string }[]): Promise<Task> {
  const emu = h as Harness;
  const r = await emu.ecs.send(
    new RunTaskCommand({
      taskDefinition: "job",
      launchType: "FARGATE",
      networkConfiguration: AWSVPC,
      overrides: { containerOverrides: [{ name: "app", environment }] },
    }),
  );
  return emu.emu.waitForTask(r.tasks?.[0]?.taskArn as string, "STOPPED");
}

const stdoutOf = (t: Task) =>
  output
    .filter((o) => o.taskArn === t.taskArn && o.stream === "stdout")
    .map((o) => o.text)
    .join("");

describe("exec environment overrides", () => {
  it("BASH_ENV with a command substitution never runs: the task fails to start, naming the variable", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ecs-jobs-exec-"));
    dirs.push(dir);
    const marker = join(dir, "pwned");
    await start({ fixed: [], overridable: ["BASH_ENV", "REPORT_DATE"] }, ["bash", "-c", "exit 0"]);
    const t = await runWith([{ name: "BASH_ENV", value: `$(touch ${marker})` }]);
    expect(t.stopCode).toBe("TaskFailedToStart");
    expect(t.stoppedReason).toContain('"BASH_ENV"');
    expect(t.startedAt).toBeUndefined();
    expect(existsSync(marker)).toBe(false);
  });

  it.each([
    "LD_PRELOAD",
    "PATH",
    "NODE_OPTIONS",
    "PYTHONSTARTUP",
    "PERL5OPT",
    "RUBYOPT",
    "npm_config_script_shell",
  ])("%s is refused even when the allowlist names it", async (name) => {
    await start({ fixed: [], overridable: [name] }, [NODE, "-e", "process.exit(0)"]);
    const t = await runWith([{ name, value: "x" }]);
    expect(t.stopCode).toBe("TaskFailedToStart");
    expect(t.stoppedReason).toContain(`"${name}"`);
  });

  it("a variable the job does not declare is refused; a declared one reaches the process", async () => {
    await start({ fixed: [], overridable: ["REPORT_DATE"] }, [
      NODE,
      "-e",
      "console.log(String(process.env.REPORT_DATE))",
    ]);
    const refused = await runWith([{ name: "UNDECLARED", value: "x" }]);
    expect(refused.stopCode).toBe("TaskFailedToStart");
    expect(refused.stoppedReason).toContain('"UNDECLARED"');
    const ok = await runWith([{ name: "REPORT_DATE", value: "2026-12-01" }]);
    expect(ok.stopCode).toBe("EssentialContainerExited");
    expect(stdoutOf(ok).trim()).toBe("2026-12-01");
  });

  it("without a declaration (a task no job claims the variables of) every override is refused", async () => {
    await start(undefined, [NODE, "-e", "process.exit(0)"]);
    const t = await runWith([{ name: "ANYTHING", value: "x" }]);
    expect(t.stopCode).toBe("TaskFailedToStart");
  });

  it("the job's own loader variable, with its own value, is the author's and passes; another value does not", async () => {
    await start({ fixed: [["NODE_OPTIONS", "--no-warnings"]], overridable: ["NODE_OPTIONS"] }, [
      NODE,
      "-e",
      "console.log(process.env.NODE_OPTIONS)",
    ]);
    const own = await runWith([{ name: "NODE_OPTIONS", value: "--no-warnings" }]);
    expect(own.stopCode).toBe("EssentialContainerExited");
    expect(stdoutOf(own).trim()).toBe("--no-warnings");
    const other = await runWith([{ name: "NODE_OPTIONS", value: "--require /tmp/evil.js" }]);
    expect(other.stopCode).toBe("TaskFailedToStart");
  });

  it("the process does not inherit the stack's token or AWS credentials", async () => {
    const saved = { ...process.env };
    process.env.ECS_JOBS_TOKEN = "stack-token-0123456789";
    process.env.AWS_ACCESS_KEY_ID = "AKIAHOSTKEY";
    process.env.AWS_SECRET_ACCESS_KEY = "host-secret";
    process.env.AWS_SESSION_TOKEN = "host-session";
    try {
      await start({ fixed: [], overridable: [] }, [NODE, "-e", "console.log(JSON.stringify(process.env))"]);
      const t = await runWith([]);
      const env = JSON.parse(stdoutOf(t)) as Record<string, string>;
      for (const k of ["ECS_JOBS_TOKEN", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"])
        expect(env[k], k).toBeUndefined();
      expect(env.AWS_REGION).toBe("eu-west-1");
    } finally {
      process.env = saved;
    }
  });
});
