/** The `ecs-jobs` command line (SPEC section 2). */
import { Command, CommanderError } from "commander";
import pkg from "../../package.json" with { type: "json" };
import { EcsJobsError } from "../errors.ts";
import { registerDev } from "./commands/dev.ts";
import { registerList } from "./commands/list.ts";
import { registerNext } from "./commands/next.ts";
import { registerResume } from "./commands/resume.ts";
import { registerRun } from "./commands/run.ts";
import { registerRuns } from "./commands/runs.ts";
import { registerSchema } from "./commands/schema.ts";
import { registerShow } from "./commands/show.ts";
import { registerValidate } from "./commands/validate.ts";
import { CliExit, type CliIo, EXIT_FAILED, EXIT_OK, EXIT_USAGE } from "./context.ts";

export interface CliOptions {
  io?: Partial<CliIo>;
  now?: () => Date;
}

export function buildProgram(io: CliIo, now: () => Date): Command {
  const program = new Command("ecs-jobs")
    .description("Scheduled and on-demand container jobs on Amazon ECS")
    .version(pkg.version, "-V, --version")
    .showHelpAfterError("(run ecs-jobs --help for usage)")
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  registerValidate(program, io);
  registerList(program, io, now);
  registerShow(program, io, now);
  registerNext(program, io, now);
  registerSchema(program, io);
  registerRun(program, io, now);
  registerRuns(program, io, now);
  registerResume(program, io, now);
  registerDev(program, io);
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
  const program = buildProgram(io, options.now ?? (() => new Date()));
  try {
    await program.parseAsync(argv, { from: "user" });
    return EXIT_OK;
  } catch (error) {
    return exitCodeFor(error, io);
  }
}

function exitCodeFor(error: unknown, io: CliIo): number {
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
  io.stderr(`unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return EXIT_FAILED;
}
