/** The default Deps maker of the commands that talk to ECS and the ledger, loaded on first use. */

import type { Deps } from "../../app/deps.ts";
import type { ServiceName } from "../../aws/clients.ts";
import type { AwsTarget } from "../aws-target.ts";
import type { CliDepsOptions } from "../command-deps.ts";
import type { CliIo } from "../context.ts";

/** Deps of a CLI command; in AWS mode also which deployment it talks to. */
export type CliDeps = Deps & { awsTarget?: AwsTarget };

/** cliDeps's shape; the type alone, so that registering a command loads none of command-deps.ts. */
export type MakeDeps = (io: CliIo, opts: CliDepsOptions) => Promise<CliDeps>;

/** What launching a run needs; a run that is final at launch needs the rest (alert, retry, pause). */
export const LAUNCH_SDK_CLIENTS: readonly ServiceName[] = ["ecs", "dynamodb"];

/** cliDeps, imported when a command runs rather than when it is registered (it pulls the SDK). */
export const lazyCliDeps: MakeDeps = async (io, opts) =>
  (await import("../command-deps.ts")).cliDeps(io, opts);

/** Loads the SDK clients a command's Deps did not load up front (see cliDeps `clients`). */
export const loadAllSdkClients = async (): Promise<void> =>
  (await import("../command-deps.ts")).loadSdkClients();

/** --data-dir of the commands that talk to the local stack: the folder `ecs-jobs dev --data-dir` was given. */
export const DATA_DIR_HELP =
  "the local stack's data folder, as given to `ecs-jobs dev --data-dir` (default .ecs-jobs)";
