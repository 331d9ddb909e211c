/**
 * `ecs-jobs run NAME [--wait] [--set path=value…] [--json] [--aws]`: launches one run now, through the same
 * launcher the schedule and HTTP triggers use. An operator may override anything the override grammar
 * names (no allowlist): count, cpu, memory, command, environment.NAME, each optionally CONTAINER.-prefixed.
 */
import { randomUUID } from "node:crypto";
import { redactSecrets } from "../../alerts/redact.ts";
import { EcsJobsError } from "../../errors.ts";
import { parseRunRequest, type RunRequest } from "../../http/run-request.ts";
import type { Run } from "../../runs/model.ts";
import {
  CliExit,
  DEFAULT_JOBS_DIR,
  EXIT_FAILED,
  EXIT_INTERRUPTED,
  printJson,
  usageError,
} from "../context.ts";
import { type AwsOptions, awsDepsOptions, explainingTarget } from "./aws-options.ts";
import { defineCommand } from "./define-command.ts";
import { LAUNCH_SDK_CLIENTS, lazyCliDeps, loadAllSdkClients, type MakeDeps } from "./lazy-deps.ts";

export type { MakeDeps };

const SET_PATH =
  /^(?:(count|cpu|memory)|(?:([A-Za-z0-9_-]{1,255})\.)?(command|environment\.([A-Za-z_][A-Za-z0-9_]*)))$/;
const FORBIDDEN = new Set(["__proto__", "constructor", "prototype"]);

/** `node build.js --x` or a JSON list `["node","build.js","--x y"]` for arguments with spaces. */
function commandOf(value: string, path: string): unknown {
  if (!value.trimStart().startsWith("[")) return value.split(/\s+/).filter((s) => s !== "");
  try {
    return JSON.parse(value);
  } catch {
    throw usageError(`--set ${path}: expected a JSON list of strings or a space-separated command`);
  }
}

interface ContainerSets {
  command?: unknown;
  environment: Map<string, string>;
}

const shape = (c: ContainerSets) => ({
  ...(c.command !== undefined && { command: c.command }),
  ...(c.environment.size > 0 && { environment: Object.fromEntries(c.environment) }),
});

/** The --set options as a run request body, validated like an HTTP body. */
export function requestFromSets(sets: readonly string[]): RunRequest {
  let count: unknown;
  const sizes = new Map<string, string>();
  // By container name; "" (never a valid name) holds the unprefixed entries.
  const containers = new Map<string, ContainerSets>();
  for (const set of sets) {
    const eq = set.indexOf("=");
    const path = eq < 0 ? set : set.slice(0, eq);
    const m = SET_PATH.exec(path);
    if (eq < 0 || !m)
      throw usageError(
        `--set ${set}: expected PATH=VALUE with PATH count, cpu, memory, command or environment.NAME (optionally CONTAINER.-prefixed)`,
      );
    const value = set.slice(eq + 1);
    const [, scalar, container = "", , envName] = m;
    if ([container, envName].some((k) => k !== undefined && FORBIDDEN.has(k)))
      throw usageError(`--set ${path}: that name is not allowed`);
    if (scalar === "count") count = /^\d+$/.test(value) ? Number(value) : value;
    else if (scalar) sizes.set(scalar, value);
    else {
      const target = containers.get(container) ?? { environment: new Map<string, string>() };
      containers.set(container, target);
      if (envName !== undefined) target.environment.set(envName, value);
      else target.command = commandOf(value, path);
    }
  }
  const unprefixed = containers.get("");
  const named = [...containers].filter(([name]) => name !== "");
  const overrides: Record<string, unknown> = {
    ...Object.fromEntries(sizes),
    ...(unprefixed && shape(unprefixed)),
    ...(named.length > 0 && { containers: Object.fromEntries(named.map(([n, c]) => [n, shape(c)])) }),
  };
  try {
    return parseRunRequest({
      ...(count !== undefined && { count }),
      ...(Object.keys(overrides).length > 0 && { overrides }),
    });
  } catch (error) {
    if (error instanceof EcsJobsError) throw usageError(`--set: ${error.message}`);
    throw error;
  }
}

interface RunOptions extends AwsOptions {
  jobs: string;
  wait?: boolean;
  set: string[];
  json?: boolean;
}

const summary = (statusLine: (run: Run) => string, run: Run) =>
  `run ${run.runId} of ${run.job}: ${statusLine(run)}${run.hint ? `\n  hint: ${run.hint}` : ""}\n`;

export const registerRun = defineCommand({
  name: "run",
  argument: ["<name>", "job name"],
  description: "launch one run of a job now (local stack, or AWS with --aws)",
  options: (command) =>
    command
      .option("--jobs <dir>", "jobs folder", DEFAULT_JOBS_DIR)
      .option(
        "--wait",
        "follow the run (status and log lines) and its retries; exit 0 only if the final attempt SUCCEEDED",
      )
      .option(
        "--set <path=value>",
        "override count, cpu, memory, [CONTAINER.]command or [CONTAINER.]environment.NAME",
        (v: string, acc: string[]) => [...acc, v],
        [],
      )
      .option("--json", "print the run as JSON"),
  aws: "launch",
  action: async ({ io, now, makeDeps }, name: string, opts: RunOptions) => {
    // Imported on use: registering `run` (for --help) must not load the launcher and the SDK.
    const [{ requireJob }, { runOverridesFor }, { launchRun }, { statusLine }, { isFinal }] =
      await Promise.all([
        import("../jobs.ts"),
        import("../../http/overrides.ts"),
        import("../../app/launch-run.ts"),
        import("../../app/follow-run.ts"),
        import("../../runs/model.ts"),
      ]);
    const job = requireJob(io, opts.jobs, name);
    const request = requestFromSets(opts.set);
    // Launching needs ECS and DynamoDB only; the other four SDK clients are loaded if the run ends at
    // launch (settleLaunched alerts, retries, pauses) or is followed (--wait), and not otherwise.
    const deps = await makeDeps(io, {
      ...awsDepsOptions(opts),
      jobsDir: opts.jobs,
      now,
      ...(!opts.wait && { clients: LAUNCH_SDK_CLIENTS }),
    });
    const overrides = await runOverridesFor(deps, job, request, { allow: "any" });
    let run = await explainingTarget(deps.awsTarget, () =>
      launchRun(deps, {
        job,
        trigger: { kind: "cli", id: randomUUID(), by: `cli:${io.env.USER ?? io.env.USERNAME ?? "unknown"}` },
        overrides,
      }),
    );
    // settleLaunched acts only on a run already final at launch; the alert, retry and pause code it
    // needs is loaded only then.
    if (isFinal(run.status)) {
      const [{ settleLaunched }] = await Promise.all([
        import("../../app/on-run-final.ts"),
        makeDeps === lazyCliDeps ? loadAllSdkClients() : undefined,
      ]);
      await settleLaunched(deps, run);
    }
    // With --wait, Ctrl+C stops following from the first line printed on: the handler is in place before
    // the summary, which may already say RUNNING, so no Ctrl+C after it meets the default (kill) handler.
    const following = opts.wait ? await import("../wait.ts") : undefined;
    const interrupt = following?.stopFollowingOnInterrupt(io, run.runId);
    if (!opts.json) io.stdout(summary(statusLine, run));
    if (following && interrupt) {
      const waited = await following.waitForFinalAttempt(deps, job, run, {
        io,
        json: opts.json === true,
        interrupt,
      });
      run = waited.run;
      if (waited.interrupted) throw new CliExit(EXIT_INTERRUPTED);
    }
    if (opts.json) printJson(io, redactSecrets(run));
    const ok = opts.wait ? run.status === "SUCCEEDED" : run.status !== "FAILED" && run.status !== "SKIPPED";
    if (!ok) throw new CliExit(EXIT_FAILED);
  },
});
