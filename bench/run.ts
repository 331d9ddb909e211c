/**
 * `npm run bench`: every benchmark, each against its baseline in the same run; prints a table and rewrites
 * BENCHMARKS.md (the table, the row notes, then bench/analysis.md). `node bench/run.ts NAME…` runs only the
 * named benchmarks; `--quick` runs tiny sizes. Either writes nothing unless `--write` is given.
 */
import "./quiet.ts";
import { readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { cliRunBenchmark } from "./cli-run.ts";
import { coldStartBenchmark } from "./cold-start.ts";
import { costBenchmark } from "./cost.ts";
import { launchBenchmark } from "./launch.ts";
import { type Benchmark, ROOT, type Row } from "./lib.ts";
import { packageBenchmark } from "./package.ts";
import { statusBenchmark } from "./status.ts";
import { validateBenchmark } from "./validate.ts";

/**
 * In the order they run and appear. The fan-out of 10,000 tasks and the busy minute (issue 18) come from the
 * `scale` branch as their own module (bench/fanout.ts), listed after `cost`.
 */
export const BENCHMARKS: Benchmark[] = [
  costBenchmark,
  coldStartBenchmark,
  launchBenchmark,
  statusBenchmark,
  cliRunBenchmark,
  validateBenchmark,
  packageBenchmark,
];

export async function runBenchmarks(options: { quick: boolean; only?: string[] }): Promise<Row[]> {
  const rows: Row[] = [];
  for (const b of BENCHMARKS) {
    if (options.only && !options.only.includes(b.name)) continue;
    process.stderr.write(`bench: ${b.name}…\n`);
    rows.push(...(await b.run({ quick: options.quick })));
  }
  return rows;
}

const fmt = (n: number | undefined, unit: string) => (n === undefined ? "—" : `${n} ${unit}`);

export function renderTable(rows: Row[]): string {
  const head =
    "| benchmark | measured | baseline (same run) | ratio | goal | met |\n|---|---|---|---|---|---|\n";
  return (
    head +
    rows
      .map(
        (r) =>
          `| ${r.benchmark} | ${fmt(r.measured, r.unit)} | ${r.baseline}${r.base === undefined ? "" : `: ${fmt(r.base, r.unit)}`} | ${r.ratio === undefined ? "—" : `${r.ratio}×`} | ${r.goal} | ${r.met ? "yes" : "**no**"} |`,
      )
      .join("\n") +
    "\n"
  );
}

function machine(): string {
  const cpu = cpus();
  return `${cpu.length} cores (${cpu[0]?.model ?? "unknown"}), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const quick = args.includes("--quick");
  const only = args.filter((a) => !a.startsWith("--"));
  const rows = await runBenchmarks({ quick, ...(only.length > 0 && { only }) });
  const table = renderTable(rows);
  process.stdout.write(table);
  const notes = rows.filter((r) => r.notes).map((r) => `- **${r.benchmark}**: ${r.notes}`);
  // A partial or quick run would replace the full table with a few rows: written only when asked.
  if ((!quick && only.length === 0) || args.includes("--write")) {
    // What dominates each missed figure and what was done: written by hand, kept across runs.
    const analysis = readFileSync(join(ROOT, "bench", "analysis.md"), "utf8");
    writeFileSync(
      join(ROOT, "BENCHMARKS.md"),
      `# Benchmarks\n\nMeasured by \`npm run bench\` on ${machine()}. Each figure is the median of several runs, ` +
        "taken alternately with its baseline in the same run, so machine noise hits both alike.\n\n" +
        table +
        (notes.length > 0 ? `\n${notes.join("\n")}\n` : "") +
        `\n${analysis}`,
    );
  }
}
