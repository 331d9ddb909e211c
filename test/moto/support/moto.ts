/**
 * One moto_server (moto 5.2, python; on PATH) per test file, on a free loopback port: AWS implementations
 * nobody here wrote, to check the AWS-mode code against. Started in beforeAll, reset between tests through
 * its reset endpoint (cheaper than a restart: the server takes seconds to load), killed in afterAll.
 * What moto does differently from AWS, and how the tests cope, is in ../MOTO-FAULTS.md.
 */
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { afterAll, beforeAll } from "vitest";
import { startMotoServer } from "../../../gen/moto-server.ts";

export const MOTO_REGION = "eu-west-1";
/** moto's default account. */
export const MOTO_ACCOUNT = "123456789012";

export interface Moto {
  url: string;
  /** Environment for a process (the CLI) that should talk to this moto: endpoint, region, credentials. */
  env: Record<string, string>;
  /** Client config for an SDK client in this process. */
  client: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  reset(): Promise<void>;
}

async function start(): Promise<{ moto: Moto; child: ChildProcess }> {
  const { url, child } = await startMotoServer();
  const credentials = { accessKeyId: "testing", secretAccessKey: "testing" };
  const moto: Moto = {
    url,
    env: {
      AWS_ENDPOINT_URL: url,
      AWS_REGION: MOTO_REGION,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_EC2_METADATA_DISABLED: "true",
    },
    client: { endpoint: url, region: MOTO_REGION, credentials },
    reset: async () => {
      const res = await fetch(`${url}/moto-api/reset`, { method: "POST" });
      if (!res.ok) throw new Error(`moto reset answered ${res.status}`);
    },
  };
  return { moto, child };
}

/** Starts moto for this file's tests; the returned object is filled in before the first test runs. */
export function useMoto(): Moto {
  const holder = {} as Moto;
  let child: ChildProcess | undefined;
  beforeAll(async () => {
    const started = await start();
    child = started.child;
    Object.assign(holder, started.moto);
  });
  afterAll(async () => {
    if (!child || child.exitCode !== null) return;
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    await exited;
  });
  return holder;
}
