/**
 * Cold start and size of each deployed handler bundle (esbuild with serverless.yml's options). Cold start is
 * a fresh `node` importing the bundle, against a peer that does the same job (a bare hand-written handler
 * importing only the SDK clients that invocation calls, bench/peers/, bundled the same way): goal ≤ 1.1×,
 * with `node -e 0` beside it. Counted in instructions (valgrind's callgrind, every thread of the process):
 * on this shared 2-core machine wall time moves with the other work, an instruction count hardly does; the
 * wall-time medians are in the row notes. Size is the minified code a cold start loads, the entry and the
 * chunks it imports statically, with the SDK clients it uses (goal ≤ 500 KB, and no client package the
 * handler does not use); the notes give the zip's code with the chunks behind `import()` (run-end clients).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  type Bundle,
  buildHandlers,
  buildPeers,
  CLIENT_PACKAGES,
  type HandlerName,
  type PeerName,
} from "./bundles.ts";
import { type Benchmark, median, NODE, type Row, round, timeCommand } from "./lib.ts";

/**
 * The SDK clients each handler needs. Every handler can see a run end (a launch refused or a final task
 * event → retry, alert with log lines, pause), so every one needs all six; only ECS and DynamoDB are
 * loaded with it, the other four by an `import()` when a run ends (handlers/lambda-clients.ts).
 */
export const CLIENTS_USED: Record<HandlerName, readonly string[]> = {
  schedule: CLIENT_PACKAGES,
  http: CLIENT_PACKAGES,
  "instance-launch": CLIENT_PACKAGES,
  status: CLIENT_PACKAGES,
  sweeper: CLIENT_PACKAGES,
};

const SIZE_LIMIT = 500 * 1024;
const kb = (bytes: number) => round(bytes / 1024, 1);

/** The bundle's packages above 10 KB: what a missed size goal is made of. */
const largest = (b: Bundle) =>
  b.byPackage
    .filter(([, bytes]) => bytes >= 10 * 1024)
    .map(([p, bytes]) => `${p} ${Math.round(bytes / 1024)} KB`)
    .join(", ");

export function sizeRow(b: Bundle): Row {
  const extra = b.clients.filter((c) => !CLIENTS_USED[b.name].includes(c));
  const met = b.loadedBytes <= SIZE_LIMIT && extra.length === 0;
  return {
    benchmark: `bundle size: ${b.name}`,
    baseline: "—",
    measured: kb(b.loadedBytes),
    unit: "KB",
    goal: "≤ 500 KB loaded, no unused client",
    met,
    notes:
      `${b.name}: loaded at import ${kb(b.loadedBytes)} KB with ${b.clientsAtLoad.join(", ")}; ` +
      `the zip's code ${kb(b.bytes)} KB (${b.files.length} files, the other clients behind import())` +
      (extra.length > 0 ? `; unused clients ${extra.join(", ")}` : "") +
      (met ? "" : `; largest parts: ${largest(b)}`),
  };
}

/**
 * The SDK clients an ordinary invocation of each handler calls, and so its peer: a launch (schedule, http,
 * instance-launch) writes the run, calls RunTask/StartTask and records the launch; a sweep queries the
 * ledger and asks ECS about quiet runs; a batch of task events writes runs.
 */
export const PEER_OF: Record<HandlerName, PeerName> = {
  schedule: "ecs-dynamodb",
  http: "ecs-dynamodb",
  "instance-launch": "ecs-dynamodb",
  status: "dynamodb",
  sweeper: "ecs-dynamodb",
};

const importArgs = (file: string) => [
  "--input-type=module",
  "-e",
  `await import(${JSON.stringify(pathToFileURL(file).href)})`,
];
const NODE_E0 = ["-e", "0"];

/** Instructions executed by `node args` (all threads), from callgrind's "Collected" line; undefined without valgrind. */
export function instructions(args: string[], cwd: string): number | undefined {
  const r = spawnSync("valgrind", ["--tool=callgrind", "--callgrind-out-file=/dev/null", NODE, ...args], {
    cwd,
    encoding: "utf8",
  });
  if (r.error) return undefined;
  const collected = /Collected : (\d+)/.exec(r.stderr);
  if (r.status !== 0 || !collected)
    throw new Error(`valgrind node ${args.join(" ")} exited ${r.status}: ${r.stderr.slice(-500)}`);
  return Number(collected[1]);
}

/**
 * Every subject measured once per round, round after round, so that load from other work hits all alike;
 * the median of each.
 */
function roundRobin(
  rounds: number,
  subjects: Record<string, string[]>,
  measure: (args: string[]) => number | undefined,
) {
  const values: Record<string, number[]> = {};
  for (let i = 0; i < rounds; i++)
    for (const [name, args] of Object.entries(subjects)) {
      const v = measure(args);
      if (v === undefined) return undefined;
      values[name] = [...(values[name] ?? []), v];
    }
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, median(v)]));
}

const ms = (n: number | undefined) => `${round(n ?? 0, 1)} ms`;
const times = (a: number | undefined, b: number | undefined) => `${round((a ?? 0) / (b ?? 1))}×`;

export const coldStartBenchmark: Benchmark = {
  name: "cold-start",
  async run({ quick }) {
    const dir = mkdtempSync(join(tmpdir(), "ecs-jobs-bench-bundles-"));
    try {
      const bundles = await buildHandlers(dir);
      const peers = await buildPeers(dir);
      // Import only: the handler's deps (catalogue, clients) are built on the first invocation, by design,
      // and the peers build their clients on first invocation too.
      const subjects: Record<string, string[]> = { "node -e 0": NODE_E0 };
      for (const [name, file] of Object.entries(peers)) subjects[`peer ${name}`] = importArgs(file);
      for (const b of bundles) subjects[b.name] = importArgs(b.file);
      roundRobin(1, subjects, (args) => timeCommand(NODE, args, { cwd: dir })); // warms the file cache
      const wall = roundRobin(quick ? 1 : 15, subjects, (args) => timeCommand(NODE, args, { cwd: dir }));
      const calls = Number(process.env.BENCH_CALLGRIND_RUNS ?? 3);
      const counted = quick ? undefined : roundRobin(calls, subjects, (args) => instructions(args, dir));
      if (!wall) throw new Error("no wall times");
      const rows: Row[] = bundles.map((b) => {
        const peer = `peer ${PEER_OF[b.name]}`;
        const by = counted ?? wall;
        const ratio = (by[b.name] ?? 0) / (by[peer] ?? 1);
        const instr = (name: string) => round((counted?.[name] ?? 0) / 1e6, 1);
        return {
          benchmark: `cold start: ${b.name}`,
          baseline: `${peer} (bench/peers/${PEER_OF[b.name]}.ts)`,
          measured: counted ? instr(b.name) : round(wall[b.name] ?? 0, 1),
          base: counted ? instr(peer) : round(wall[peer] ?? 0, 1),
          unit: counted ? "M instructions" : "ms",
          ratio: round(ratio),
          goal: "≤ 1.1×",
          met: ratio <= 1.1,
          notes:
            (counted
              ? `instructions: node -e 0 ${instr("node -e 0")} M, handler ${times(counted[b.name], counted["node -e 0"])} of it, peer ${times(counted[peer], counted["node -e 0"])}; `
              : "") +
            `wall (median of ${quick ? 1 : 15}): handler ${ms(wall[b.name])}, peer ${ms(wall[peer])} (${times(wall[b.name], wall[peer])}), node -e 0 ${ms(wall["node -e 0"])}: handler ${times(wall[b.name], wall["node -e 0"])}, peer ${times(wall[peer], wall["node -e 0"])}`,
        };
      });
      return [...rows, ...bundles.map(sizeRow)];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
