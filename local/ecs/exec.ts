/**
 * `local.exec: true`: a container's command run as a local process (no shell, like an exec-form CMD),
 * whose exit code becomes the container's exit code.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { constants } from "node:os";
import type { ContainerDefinition, KeyValuePair } from "@aws-sdk/client-ecs";
import { isLoaderVariable } from "../../src/host/domain.ts";
import type { LocalBehaviour } from "./task-behaviour.ts";

export interface ContainerOutput {
  taskArn: string;
  container: string;
  stream: "stdout" | "stderr";
  text: string;
}

export interface RunningContainer {
  readonly child: ChildProcess;
  /** Resolves with the exit code once the process ends (128 + signal number when killed by a signal). */
  readonly exited: Promise<number>;
}

/** Docker semantics: ENTRYPOINT followed by CMD; undefined when the container has neither. */
export function commandOf(def: ContainerDefinition): string[] | undefined {
  const argv = [...(def.entryPoint ?? []), ...(def.command ?? [])];
  return argv.length > 0 ? argv : undefined;
}

/**
 * The environment overrides of one container that its local process may not get: anything the job did not
 * declare, and loader/shell/runtime variables (LD_PRELOAD, BASH_ENV, PATH, NODE_OPTIONS …) unless they are
 * the job's own, with the job's own value. A container in ECS keeps such variables to itself; a local process
 * would run what they name on this machine, so whoever asks (an HTTP caller, a local RunTask) is refused.
 */
export function refusedOverrides(
  overrides: readonly KeyValuePair[] | undefined,
  rule: LocalBehaviour["execEnvironment"],
): string[] {
  const refused: string[] = [];
  for (const { name, value } of overrides ?? []) {
    if (name === undefined) continue;
    const own = rule?.fixed.some(([k, v]) => k === name && v === (value ?? ""));
    if (own) continue;
    if (isLoaderVariable(name) || !rule?.overridable.includes(name)) refused.push(name);
  }
  return refused;
}

/** Refusal of a task's exec container, as its stoppedReason says it. */
export class ExecEnvironmentRefused extends Error {
  constructor(container: string, names: readonly string[]) {
    const shown = names.map((n) => JSON.stringify(n.replace(/[^\x20-\x7e]/g, "?").slice(0, 64)));
    super(
      `CannotStartContainerError: local exec refused the environment override(s) ${shown.join(", ")} of container ${container}: a local process gets only the variables its job declares (task.overrides or http.allowOverrides environment.NAME), never loader or shell variables`,
    );
    this.name = "ExecEnvironmentRefused";
  }
}

/** Only what a process needs to find programs and a home; a container does not see the host's environment. */
const HOST_VARS = ["PATH", "HOME", "TMPDIR", "TEMP", "TMP", "LANG", "SystemRoot", "USER"];

export function environmentOf(
  def: ContainerDefinition,
  ecs: { region: string; launchType: string | undefined },
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of HOST_VARS) {
    const v = process.env[k];
    if (v !== undefined) env[k] = v;
  }
  env.AWS_REGION = ecs.region;
  env.AWS_DEFAULT_REGION = ecs.region;
  env.AWS_EXECUTION_ENV = ecs.launchType === "FARGATE" ? "AWS_ECS_FARGATE" : "AWS_ECS_EC2";
  for (const kv of def.environment ?? []) if (kv.name !== undefined) env[kv.name] = kv.value ?? "";
  return env;
}

const exitCodeOf = (code: number | null, signal: NodeJS.Signals | null): number =>
  code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 1);

/** Sends `signal` to the container's process group (see `detached` below); to the process alone as a fallback. */
export function signalContainer(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid !== undefined && process.platform !== "win32") {
    try {
      process.kill(-child.pid, signal);
      return;
    } catch {
      // The group is gone already (or never formed): the process itself, below.
    }
  }
  child.kill(signal);
}

/**
 * Starts the process; resolves once it is running, rejects with the spawn error (ENOENT, EACCES …) when it
 * cannot start.
 */
export function startContainerProcess(
  argv: readonly string[],
  options: {
    env: Record<string, string>;
    cwd: string;
    onOutput?: ((o: Omit<ContainerOutput, "taskArn" | "container">) => void) | undefined;
  },
): Promise<RunningContainer> {
  const [file, ...args] = argv as [string, ...string[]];
  const child = spawn(file, args, {
    env: options.env,
    cwd: options.cwd,
    shell: false,
    // A process group of its own, so that a stop reaches what the command started too (a shell's children,
    // npm's node): a container's processes all end with it, as in Docker.
    detached: process.platform !== "win32",
    stdio: ["ignore", options.onOutput ? "pipe" : "ignore", options.onOutput ? "pipe" : "ignore"],
  });
  const onOutput = options.onOutput;
  if (onOutput) {
    child.stdout?.setEncoding("utf8").on("data", (text: string) => onOutput({ stream: "stdout", text }));
    child.stderr?.setEncoding("utf8").on("data", (text: string) => onOutput({ stream: "stderr", text }));
  }
  const exited = new Promise<number>((resolve) => {
    child.once("close", (code, signal) => resolve(exitCodeOf(code, signal)));
  });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("spawn", () => {
      child.off("error", reject);
      // A later error (e.g. a failed kill) must not crash the emulator; `close` still reports the end.
      child.on("error", () => {});
      resolve({ child, exited });
    });
  });
}
