/** The `ecs-jobs` command line (SPEC section 2). */
import { Command, CommanderError } from "commander";
import pkg from "../../package.json" with { type: "json" };
import { classifyAwsError, errorMessage, errorName } from "../aws/ecs-call.ts";
import { EcsJobsError } from "../errors.ts";
import type { RegisterCommand } from "./commands/define-command.ts";
import { CliExit, type CliIo, EXIT_FAILED, EXIT_OK, EXIT_USAGE } from "./context.ts";

export interface CliOptions {
  io?: Partial<CliIo>;
  now?: () => Date;
}

/**
 * Each command's module, imported only when needed: a command loads its own code and nothing of the others
 * (`run` pulls the SDK and the launcher, `dev` the whole local stack), and `--version` loads none.
 * In help order.
 */
const COMMANDS: Record<string, () => Promise<RegisterCommand>> = {
  validate: async () => (await import("./commands/validate.ts")).registerValidate,
  list: async () => (await import("./commands/list.ts")).registerList,
  show: async () => (await import("./commands/show.ts")).registerShow,
  next: async () => (await import("./commands/next.ts")).registerNext,
  schema: async () => (await import("./commands/schema.ts")).registerSchema,
  run: async () => (await import("./commands/run.ts")).registerRun,
  runs: async () => (await import("./commands/runs.ts")).registerRuns,
  logs: async () => (await import("./commands/logs.ts")).registerLogs,
  stop: async () => (await import("./commands/stop.ts")).registerStop,
  pause: async () => (await import("./commands/schedule-switch.ts")).registerPause,
  resume: async () => (await import("./commands/schedule-switch.ts")).registerResume,
  backfill: async () => (await import("./commands/backfill.ts")).registerBackfill,
  check: async () => (await import("./commands/check.ts")).registerCheck,
  dev: async () => (await import("./commands/dev.ts")).registerDev,
};

const VERSION_FLAGS = new Set(["-V", "--version"]);

/**
 * The commands `argv` can reach: the one it names first; none for a bare --version; all otherwise (help,
 * an unknown command and its "did you mean", options before the command), so the output is unchanged.
 */
export function commandsFor(argv: readonly string[]): string[] {
  const first = argv[0];
  if (first !== undefined && Object.hasOwn(COMMANDS, first)) return [first];
  if (argv.length > 0 && argv.every((a) => VERSION_FLAGS.has(a))) return [];
  return Object.keys(COMMANDS);
}

export async function buildProgram(
  io: CliIo,
  now: () => Date,
  names: readonly string[] = Object.keys(COMMANDS),
): Promise<Command> {
  const program = new Command("ecs-jobs")
    .description("Scheduled and on-demand container jobs on Amazon ECS")
    .version(pkg.version, "-V, --version")
    .showHelpAfterError("(run ecs-jobs --help for usage)")
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  const registers = await Promise.all(names.map((n) => (COMMANDS[n] as () => Promise<RegisterCommand>)()));
  for (const register of registers) register(program, io, now);
  for (const c of program.commands)
    c.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  return program;
}

/** Runs the CLI on `argv` (without node and script) and resolves to the exit code. */
export async function runCli(argv: string[], options: CliOptions = {}): Promise<number> {
  const io: CliIo = {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    cwd: process.cwd(),
    env: process.env,
    ...options.io,
  };
  try {
    const program = await buildProgram(io, options.now ?? (() => new Date()), commandsFor(argv));
    await program.parseAsync(argv, { from: "user" });
    return EXIT_OK;
  } catch (error) {
    return exitCodeFor(error, io);
  }
}

export function exitCodeFor(error: unknown, io: Pick<CliIo, "stderr">): number {
  if (error instanceof CliExit) {
    if (error.message) io.stderr(`${error.message}\n`);
    return error.exitCode;
  }
  if (error instanceof CommanderError) {
    // help and version "errors" are successes; everything else commander raises is a usage error.
    if (
      error.code === "commander.helpDisplayed" ||
      error.code === "commander.version" ||
      error.exitCode === 0
    )
      return EXIT_OK;
    if (error.code === "commander.help") return EXIT_OK;
    return EXIT_USAGE;
  }
  if (error instanceof EcsJobsError) {
    io.stderr(`error: ${error.message}\n`);
    return EXIT_FAILED;
  }
  const aws = awsErrorText(error);
  if (aws) {
    io.stderr(`error: ${aws}\n`);
    return EXIT_FAILED;
  }
  // An AWS error the SDK's retries did not get past (throttling, a 5xx, an answer it could not read): what AWS
  // said, on one line. A stack trace would show only the SDK's insides.
  if (classifyAwsError(error) !== "unknown") {
    io.stderr(`error: AWS answered ${errorName(error)}: ${errorMessage(error).split("\n")[0]}\n`);
    return EXIT_FAILED;
  }
  io.stderr(`unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return EXIT_FAILED;
}

/**
 * An AWS answer (a service error carries $metadata) or missing credentials: the user's environment, not a
 * bug, so one line and no stack. Recognised by shape: importing the SDK's classes here would load it for
 * every command.
 */
function awsErrorText(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  if (error.name === "CredentialsProviderError")
    return `no AWS credentials (${error.message}); set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (status === undefined) return undefined;
  return `AWS answered ${error.name} (HTTP ${status}): ${error.message.split("\n")[0]}`;
}
