/**
 * `npm run bench`: every benchmark, each against its baseline in the same run; prints a table and rewrites
 * BENCHMARKS.md (the table, the row notes, then bench/analysis.md). `node bench/run.ts NAME…` runs only the
 * named benchmarks; `--quick` runs tiny sizes. Either writes nothing unless `--write` is given. Full-size runs
 * save their rows under .bench/; `--render` writes BENCHMARKS.md from those (benchmarks run apart).
 */
import "./quiet.ts";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { busyMinuteBenchmark } from "./busy-minute.ts";
import { cliRunBenchmark } from "./cli-run.ts";
import { coldStartBenchmark } from "./cold-start.ts";
import { costBenchmark } from "./cost.ts";
import { fanoutBenchmark } from "./fanout.ts";
import { launchBenchmark } from "./launch.ts";
import { type Benchmark, ROOT, type Row } from "./lib.ts";
import { packageBenchmark } from "./package.ts";
import { statusBenchmark } from "./status.ts";
import { validateBenchmark } from "./validate.ts";

/** In the order they run and appear. */
export const BENCHMARKS: Benchmark[] = [
  costBenchmark,
  fanoutBenchmark,
  busyMinuteBenchmark,
  coldStartBenchmark,
  launchBenchmark,
  statusBenchmark,
  cliRunBenchmark,
  validateBenchmark,
  packageBenchmark,
];

/** Where a full-size run keeps each benchmark's rows (git-ignored), so `--render` can join runs made apart. */
const SAVED = join(ROOT, ".bench");

export async function runBenchmarks(options: { quick: boolean; only?: string[] }): Promise<Row[]> {
  const rows: Row[] = [];
  for (const b of BENCHMARKS) {
    if (options.only && !options.only.includes(b.name)) continue;
    process.stderr.write(`bench: ${b.name}…\n`);
    const got = await b.run({ quick: options.quick });
    if (!options.quick) {
      mkdirSync(SAVED, { recursive: true });
      writeFileSync(join(SAVED, `${b.name}.json`), JSON.stringify(got));
    }
    rows.push(...got);
  }
  return rows;
}

/** The rows each benchmark saved at its last full-size run, in table order; a benchmark with none, a row saying so. */
function savedRows(): Row[] {
  return BENCHMARKS.flatMap((b) => {
    const file = join(SAVED, `${b.name}.json`);
    if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as Row[];
    return [
      {
        benchmark: `${b.name}: **not measured**`,
        baseline: "—",
        measured: 0,
        unit: "",
        goal: "—",
        met: false,
      },
    ];
  });
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
  // --render: BENCHMARKS.md from every benchmark's last saved rows (benchmarks run apart, e.g. in parallel).
  const render = args.includes("--render");
  const rows = render ? savedRows() : await runBenchmarks({ quick, ...(only.length > 0 && { only }) });
  const table = renderTable(rows);
  process.stdout.write(table);
  const notes = rows.filter((r) => r.notes).map((r) => `- **${r.benchmark}**: ${r.notes}`);
  // A partial or quick run would replace the full table with a few rows: written only when asked.
  if ((!quick && only.length === 0) || render || args.includes("--write")) {
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
