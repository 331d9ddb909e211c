/**
 * What launcher roles (deploy/launchers.ts, src/launch/launcher-credentials.ts) cost a launch:
 * - bundle: the STS client bundled into every handler (esbuild inlines the lazy import() without code
 *   splitting; it is evaluated only when a job has a launcher role);
 * - cold start: a fresh `node` importing the schedule bundle as built, against the same bundle with the STS
 *   client aliased to an empty module (what a bundle without the feature would hold), interleaved medians;
 * - first launch through a launcher role in a container: importing the STS client, AssumeRole, and the ECS
 *   client of the role, against moto_server on loopback (no network latency: AWS adds one HTTPS round trip
 *   to the regional STS endpoint, not measurable here); later launches reuse the credentials (0 calls).
 * `node bench/launcher-cost.ts` prints the numbers.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ECSClient, ListClustersCommand } from "@aws-sdk/client-ecs";
import { startMotoServer } from "../gen/moto-server.ts";
import { createLaunchers } from "../src/launch/launcher-credentials.ts";
import { bundle } from "./bundles.ts";
import { interleaved, NODE, ROOT, round, timeCommand } from "./lib.ts";

/** Bytes of @aws-sdk/client-sts in the schedule bundle; `withoutSts` aliases it to an empty module. */
async function bundleSchedule(file: string, withoutSts: boolean, emptyModule: string): Promise<number> {
  const meta = await bundle(join(ROOT, "handlers", "schedule.ts"), file, {
    ...(withoutSts && { "@aws-sdk/client-sts": emptyModule }),
  });
  const out = Object.values(meta.outputs)[0];
  return Object.entries(out?.inputs ?? {})
    .filter(([input]) => input.includes("node_modules/@aws-sdk/client-sts/"))
    .reduce((sum, [, v]) => sum + v.bytesInOutput, 0);
}

/** ms of the first call through a launcher role (import STS, AssumeRole, sign) and of a later one. */
async function firstLaunchCost(url: string, rounds: number): Promise<{ first: number[]; later: number[] }> {
  const credentials = { accessKeyId: "testing", secretAccessKey: "testing" };
  const region = "eu-west-1";
  // moto answers every service: a warm-up so its own first-call loading is not counted.
  const own = new ECSClient({ region, endpoint: url, credentials });
  await own.send(new ListClustersCommand({}));
  const first: number[] = [];
  const later: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const launchers = createLaunchers({
      roles: { job: { RunTask: `launcher-${i}` } },
      roleArnPrefix: "arn:aws:iam::123456789012:role/",
      sessionName: "bench",
      sts: { region, endpoint: url, credentials },
      ecsClient: (c) => new ECSClient({ region, endpoint: url, credentials: c }),
    });
    const ecs = launchers.clientFor("job", "RunTask") as ECSClient;
    let t = performance.now();
    await ecs.send(new ListClustersCommand({}));
    const withAssume = performance.now() - t;
    t = performance.now();
    await ecs.send(new ListClustersCommand({}));
    const cached = performance.now() - t;
    t = performance.now();
    await own.send(new ListClustersCommand({}));
    const plain = performance.now() - t;
    first.push(withAssume - plain);
    later.push(cached - plain);
  }
  return { first, later };
}

const med = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] as number;

if (import.meta.main) {
  const dir = mkdtempSync(join(tmpdir(), "ecs-jobs-launcher-cost-"));
  try {
    const empty = join(dir, "empty.mjs");
    writeFileSync(empty, "export {};\n");
    const withFile = join(dir, "schedule.mjs");
    const withoutFile = join(dir, "schedule-without-sts.mjs");
    const stsBytes = await bundleSchedule(withFile, false, empty);
    await bundleSchedule(withoutFile, true, empty);
    const size = (f: string) => readFileSync(f).byteLength;
    console.log(
      `schedule bundle: ${round(size(withFile) / 1024, 1)} KB, of which @aws-sdk/client-sts ${round(stsBytes / 1024, 1)} KB; without it ${round(size(withoutFile) / 1024, 1)} KB`,
    );
    const importOf = (f: string) => () =>
      timeCommand(NODE, [
        "--input-type=module",
        "-e",
        `await import(${JSON.stringify(pathToFileURL(f).href)})`,
      ]);
    const cold = interleaved(15, importOf(withFile), importOf(withoutFile));
    console.log(
      `cold import (median of 15, interleaved): ${round(cold.subject, 1)} ms with the STS client bundled, ${round(cold.base, 1)} ms without`,
    );
    const moto = await startMotoServer();
    try {
      const { first, later } = await firstLaunchCost(moto.url, 9);
      // The first round also imports the STS client (a fresh container's case); later rounds find it loaded.
      console.log(
        `first call through a launcher role, beyond the same call with the function's own client (moto, loopback): ${round(first[0] as number, 1)} ms in a fresh process (STS import + AssumeRole), ${round(med(first.slice(1)), 1)} ms median of the next 8 (AssumeRole only); later calls with cached credentials: ${round(med(later), 1)} ms`,
      );
    } finally {
      moto.child.kill("SIGTERM");
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
