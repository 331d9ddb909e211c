/** The default Deps maker of the commands that talk to ECS and the ledger, loaded on first use. */
import type { Deps } from "../../deps.ts";
import type { CliIo } from "../context.ts";

export type MakeDeps = (
  io: CliIo,
  opts: { aws?: boolean; jobsDir?: string; now?: () => Date },
) => Promise<Deps>;

/** cliDeps, imported when a command runs rather than when it is registered (it pulls the SDK). */
export const lazyCliDeps: MakeDeps = async (io, opts) => (await import("../deps.ts")).cliDeps(io, opts);
