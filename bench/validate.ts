/**
 * `ecs-jobs validate` over 1,000 generated job files, against `ecs-jobs --version` in the same run, both
 * through bin/ with the CLI bundle built first (as installed). Goal ≤ 3×.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateJobFiles } from "../gen/job-files.ts";
import { withCliBundle } from "./cli-run.ts";
import { type Benchmark, BIN, interleaved, NODE, round, timeCommand } from "./lib.ts";

export const validateBenchmark: Benchmark = {
  name: "validate",
  async run({ quick }) {
    const count = quick ? 5 : 1000;
    const dir = mkdtempSync(join(tmpdir(), "ecs-jobs-bench-validate-"));
    try {
      for (const [name, text] of Object.entries(generateJobFiles(count)))
        writeFileSync(join(dir, name), text);
      const { result, note } = await withCliBundle(quick, async () =>
        interleaved(
          quick ? 1 : 9,
          () => timeCommand(NODE, [BIN, "validate", "--jobs", dir]),
          () => timeCommand(NODE, [BIN, "--version"]),
        ),
      );
      const { subject, base } = result;
      const ratio = subject / base;
      return [
        {
          benchmark: `validate ${count} specs`,
          baseline: "ecs-jobs --version",
          measured: round(subject),
          base: round(base),
          unit: "ms",
          ratio: round(ratio),
          goal: "≤ 3×",
          met: ratio <= 3,
          notes: note,
        },
      ];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
