/**
 * `ecs-jobs dev` as its own process, built from registerDev alone, so its tests do not depend on how
 * src/cli/main.ts assembles the other commands.
 */
import { Command } from "commander";
import { registerDev } from "../../../src/cli/commands/dev.ts";

const program = new Command("ecs-jobs").exitOverride();
registerDev(
  program,
  {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    cwd: process.cwd(),
    env: process.env,
    localStack: () => import("../../../local/stack.ts"),
  },
  () => new Date(),
);
try {
  await program.parseAsync(process.argv.slice(2), { from: "user" });
} catch (error) {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exitCode = 1;
}
