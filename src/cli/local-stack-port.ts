/**
 * What `ecs-jobs dev` needs of the local stack (local/stack.ts). The product never imports local/
 * (README: Architecture), so the entry that has both — bin/ecs-jobs.js — hands the stack in through
 * CliIo.localStack; local/stack.ts checks at compile time that it still fits (`satisfies StartLocalStack`).
 */
export interface DevStackOptions {
  jobsDir: string;
  dataDir: string;
  port: number;
  ecsPort?: number;
  token?: string;
  log: (line: string) => void;
  logLevel: "debug" | "info";
  seedContainerInstances: boolean;
  autoCreateClusters?: boolean;
  region?: string;
  webhookSecret?: string;
}

export interface DevStack {
  readonly httpUrl: string;
  /** The dashboard URL with the token, ready for a browser. */
  readonly dashboardUrl: string;
  readonly ecsUrl: string;
  readonly token: string;
  readonly region: string;
  readonly accountId: string;
  readonly dataDir: string;
  readonly jobs: readonly { spec: { task: { cluster?: string } } }[];
  /** Fires every enabled scheduled job once and starts every HTTP-only job once (the dev demo). */
  kickOff(): Promise<string[]>;
  close(): Promise<void>;
}

export type StartLocalStack = (options: DevStackOptions) => Promise<DevStack>;

/** Loads the local stack's module; absent where the CLI runs without it (then `dev` says so). */
export type LocalStackLoader = () => Promise<{ startLocalStack: StartLocalStack }>;
