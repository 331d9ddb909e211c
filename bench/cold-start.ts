/**
 * Cold start and size of each deployed handler bundle (esbuild with serverless.yml's options). Cold start is
 * a fresh `node` importing the bundle, against `node -e 0` in the same run (goal ≤ 2×); size is the minified
 * bundle with the SDK clients it uses (goal ≤ 500 KB, and no client package the handler does not use).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type Bundle, buildHandlers, CLIENT_PACKAGES, type HandlerName } from "./bundles.ts";
import { type Benchmark, interleaved, NODE, type Row, round, timeCommand } from "./lib.ts";

/**
 * The SDK clients each handler needs. Every handler can see a run end (a launch refused or a final task
 * event → retry, alert with log lines, pause), so every one needs all six.
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
  const met = b.bytes <= SIZE_LIMIT && extra.length === 0;
  return {
    benchmark: `bundle size: ${b.name}`,
    baseline: "—",
    measured: kb(b.bytes),
    unit: "KB",
    goal: "≤ 500 KB, no unused client",
    met,
    ...(!met && {
      notes: `${b.name}: ${extra.length > 0 ? `unused clients ${extra.join(", ")}; ` : ""}largest parts: ${largest(b)}`,
    }),
  };
}

export const coldStartBenchmark: Benchmark = {
  name: "cold-start",
  async run({ quick }) {
    const dir = mkdtempSync(join(tmpdir(), "ecs-jobs-bench-bundles-"));
    try {
      const bundles = await buildHandlers(dir);
      const rows: Row[] = [];
      for (const b of bundles) {
        // Import only: the handler's deps (catalogue, clients) are built on the first invocation, by design.
        const script = `await import(${JSON.stringify(pathToFileURL(b.file).href)})`;
        const { subject, base } = interleaved(
          quick ? 1 : 15,
          () => timeCommand(NODE, ["--input-type=module", "-e", script], { cwd: dir }),
          () => timeCommand(NODE, ["-e", "0"], { cwd: dir }),
        );
        const ratio = subject / base;
        rows.push({
          benchmark: `cold start: ${b.name}`,
          baseline: "node -e 0",
          measured: round(subject, 1),
          base: round(base, 1),
          unit: "ms",
          ratio: round(ratio),
          goal: "≤ 2×",
          met: ratio <= 2,
        });
      }
      return [...rows, ...bundles.map(sizeRow)];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
