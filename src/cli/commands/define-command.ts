/**
 * How every command is declared: its name, argument, help and options, and an action that gets the CLI's
 * io, clock and Deps maker before commander's arguments. main.ts registers each alike; a test registers one
 * with its own makeDeps (a fake, or deps on moto).
 */
import type { Command } from "commander";
import type { CliIo } from "../context.ts";
import { addAwsOptions } from "./aws-options.ts";
import { lazyCliDeps, type MakeDeps } from "./lazy-deps.ts";

/** What an action may use besides its arguments: nothing reads process.* or builds clients itself. */
export interface CommandContext {
  io: CliIo;
  now: () => Date;
  makeDeps: MakeDeps;
}

export type RegisterCommand = (program: Command, io: CliIo, now: () => Date, makeDeps?: MakeDeps) => void;

export interface CommandDefinition<Args extends unknown[]> {
  name: string;
  /** The positional argument and its help: `<name>` required, `[name]` optional. */
  argument?: readonly [string, string];
  description: string;
  /** The command's own options, in the order --help lists them. */
  options?: (command: Command) => Command;
  /** What the command does in AWS, for the help of --aws and the flags that go with it (aws-options.ts). */
  aws?: string;
  /** Called with the context, then what commander passes: the argument (if any), then the options. */
  action: (context: CommandContext, ...args: Args) => Promise<void>;
}

export function defineCommand<Args extends unknown[]>(definition: CommandDefinition<Args>): RegisterCommand {
  const { name, argument, description, options = (c) => c, aws, action } = definition;
  return (program, io, now, makeDeps = lazyCliDeps) => {
    const head = program.command(name);
    if (argument) head.argument(...argument);
    const command = options(head.description(description));
    if (aws) addAwsOptions(command, aws);
    // commander's arguments are what the definition's argument and options declare (Args).
    command.action((...args: unknown[]) => action({ io, now, makeDeps }, ...(args as Args)));
  };
}
