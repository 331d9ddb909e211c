/**
 * `ecs-jobs dev` (what `npm start` runs): the whole system on this machine (SPEC section 5) until SIGINT or
 * SIGTERM. By default it also fires every job once right after start (the "demo kick-off"), so a fresh clone
 * shows runs, a failed start with its hint and an alert within seconds; `--no-kickoff` turns that off.
 */
import { relative, resolve } from "node:path";
import { CliExit, DEFAULT_JOBS_DIR, EXIT_FAILED, usageError } from "../context.ts";
import { DEFAULT_DATA_DIR } from "../local-stack-file.ts";
import type { DevStack } from "../local-stack-port.ts";
import { defineCommand } from "./define-command.ts";

export const DEFAULT_DEV_PORT = 4280;

interface DevOptions {
  port: string;
  ecsPort?: string;
  jobs: string;
  dataDir: string;
  kickoff: boolean;
  autoCreateClusters?: boolean;
}

function port(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535)
    throw usageError(`${flag} expects a port number 0..65535, got "${value}"`);
  return n;
}

/** A shell-safe rendering of a value for the printed examples. */
const sh = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`);

export function banner(
  stack: DevStack,
  o: { cwd: string; generatedToken: boolean; kickedOff: string[] },
): string {
  const rel = (p: string) => relative(o.cwd, p) || ".";
  const jobs = stack.jobs.length;
  const anyCluster = stack.jobs[0]?.spec.task.cluster ?? "default";
  const lines = [
    `ecs-jobs local stack is running (${jobs} job${jobs === 1 ? "" : "s"}, account ${stack.accountId}, ${stack.region})`,
    "",
    `  Dashboard   ${stack.dashboardUrl}`,
    `  HTTP API    ${stack.httpUrl}   (Authorization: Bearer $ECS_JOBS_TOKEN)`,
    `  Token       ${stack.token}${o.generatedToken ? "   (generated: export ECS_JOBS_TOKEN to keep one)" : "   (from ECS_JOBS_TOKEN)"}`,
    `  ECS API     ${stack.ecsUrl}   (ECS emulator)`,
    `  Data        ${rel(stack.dataDir)}/   (run ledger, emulator state; delete it to start afresh)`,
    "",
    "Try:",
    `  export ECS_JOBS_TOKEN=${sh(stack.token)}`,
    `  curl -H "Authorization: Bearer $ECS_JOBS_TOKEN" ${stack.httpUrl}/jobs`,
    `  curl -H "Authorization: Bearer $ECS_JOBS_TOKEN" ${stack.httpUrl}/alerts`,
    "  npx ecs-jobs runs",
    "  npx ecs-jobs run NAME --wait",
    `  AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local aws ecs list-tasks --cluster ${sh(anyCluster)} --region ${stack.region} --endpoint-url ${stack.ecsUrl}`,
    "",
    o.kickedOff.length > 0
      ? `Demo kick-off: started ${o.kickedOff.join(", ")} once (--no-kickoff to skip).`
      : "No demo kick-off.",
    "Press Ctrl+C to stop.",
    "",
  ];
  return `${lines.join("\n")}\n`;
}

/** Resolves on the first SIGINT or SIGTERM; a second one ends the process the default way. */
function nextSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolveSignal) => {
    const on = (signal: NodeJS.Signals) => {
      process.off("SIGINT", on);
      process.off("SIGTERM", on);
      resolveSignal(signal);
    };
    process.once("SIGINT", on);
    process.once("SIGTERM", on);
  });
}

export const registerDev = defineCommand({
  name: "dev",
  description: "run the whole system on this machine: ECS emulator, scheduler, HTTP API, dashboard",
  options: (command) =>
    command
      .option("--port <port>", "HTTP API and dashboard port (0 = any free port)", String(DEFAULT_DEV_PORT))
      .option("--ecs-port <port>", "ECS emulator port (default: --port + 1)")
      .option("--jobs <dir>", "jobs folder", DEFAULT_JOBS_DIR)
      .option("--data-dir <dir>", "where the run ledger and the emulator state are kept", DEFAULT_DATA_DIR)
      .option("--no-kickoff", "do not start every job once right after start")
      .option(
        "--auto-create-clusters",
        "let the ECS emulator create any cluster a request names (default: only the jobs' clusters exist, as in AWS)",
      ),
  action: async ({ io }, opts: DevOptions) => {
    const httpPort = port(opts.port, "--port");
    const ecsPort = opts.ecsPort === undefined ? undefined : port(opts.ecsPort, "--ecs-port");
    const envToken = io.env.ECS_JOBS_TOKEN?.trim();
    // Everything this process writes (dynalite's LevelDB files included) is its owner's only: the data dir
    // holds runs' overrides and the token.
    process.umask(0o077);
    if (!io.localStack)
      throw new CliExit(
        EXIT_FAILED,
        "error: the local stack (local/) is not part of this installation, so `ecs-jobs dev` cannot start it",
      );
    const { startLocalStack } = await io.localStack();
    const stack = await startLocalStack({
      jobsDir: resolve(io.cwd, opts.jobs),
      dataDir: resolve(io.cwd, opts.dataDir),
      port: httpPort,
      ...(ecsPort !== undefined && { ecsPort }),
      ...(envToken && { token: envToken }),
      log: io.stderr,
      logLevel: io.env.ECS_JOBS_LOG_LEVEL === "debug" ? "debug" : "info",
      seedContainerInstances: true,
      ...(opts.autoCreateClusters && { autoCreateClusters: true }),
      ...(io.env.AWS_REGION && { region: io.env.AWS_REGION }),
      ...(io.env.ECS_JOBS_WEBHOOK_SECRET && { webhookSecret: io.env.ECS_JOBS_WEBHOOK_SECRET }),
    });
    const signal = nextSignal();
    try {
      const kickedOff = opts.kickoff ? await stack.kickOff() : [];
      io.stdout(banner(stack, { cwd: io.cwd, generatedToken: !envToken, kickedOff }));
      const received = await signal;
      io.stderr(`\n${received}: stopping…\n`);
    } finally {
      await stack.close();
    }
    io.stderr("stopped.\n");
  },
});
