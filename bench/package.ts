/**
 * `serverless package` (osls, offline) of 1,000 generated jobs — every trigger, many zones, clusters, roles —
 * against the package of the example jobs in the same run. Goal: the artefacts within the CloudFormation,
 * IAM and EventBridge quotas (deploy/limits.ts); the time is reported.
 */
import { rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { checkTemplate } from "../deploy/limits.ts";
import { generateJobFiles, writeJobsFolder } from "../gen/job-files.ts";
import { type Packaged, packageOrThrow } from "../gen/package-run.ts";
import { type Benchmark, type BenchOptions, median, type Row, round } from "./lib.ts";

const largestZip = (pkg: Packaged) =>
  Math.max(
    ...Object.values(pkg.template.Resources)
      .filter((r) => r.Type === "AWS::Lambda::Function")
      .map((r) => {
        const key = (r.Properties.Code as { S3Key: string }).S3Key.split("/").pop() as string;
        return statSync(join(pkg.dir, key)).size;
      }),
  );

export interface PackageBenchOptions extends BenchOptions {
  /** A package of the example jobs already made (the smoke test's shared one): the baseline, not run again. */
  examples?: Packaged;
}

export const packageBenchmark = {
  name: "package",
  async run({ quick, examples }: PackageBenchOptions): Promise<Row[]> {
    const count = quick ? 5 : 1000;
    const jobsDir = writeJobsFolder(generateJobFiles(count));
    const a: number[] = [];
    const b: number[] = [];
    let last: Packaged | undefined;
    try {
      for (let i = 0; i < (quick ? 1 : 3); i++) {
        if (last) rmSync(dirname(last.dir), { recursive: true, force: true });
        last = await packageOrThrow({ jobsDir });
        a.push(last.ms);
        if (examples) b.push(examples.ms);
        else {
          const example = await packageOrThrow();
          b.push(example.ms);
          rmSync(dirname(example.dir), { recursive: true, force: true });
        }
      }
    } finally {
      rmSync(jobsDir, { recursive: true, force: true });
    }
    if (!last) throw new Error("no package run");
    const report = checkTemplate(last.template);
    const zipBytes = largestZip(last);
    rmSync(dirname(last.dir), { recursive: true, force: true });
    const subject = median(a);
    const base = median(b);
    return [
      {
        benchmark: `package ${count} jobs`,
        baseline: "package of the example jobs",
        measured: round(subject, 0),
        base: round(base, 0),
        unit: "ms",
        ratio: round(subject / base),
        goal: "within CloudFormation limits; time reported",
        met: report.problems.length === 0,
        notes:
          `${count} jobs: ${report.resources}/500 resources, template ${round(report.templateBytes / 1024, 0)} KB/977 KB, ` +
          `${last.manifest.schedules.length} schedules (in the manifest, not the stack), largest managed policy ${report.maxManagedPolicyChars}/6144 chars, ` +
          `largest role inline policies ${report.maxRoleInlineChars}/10240, largest event pattern ${report.maxEventPatternChars}/4096, ` +
          `largest function zip ${round(zipBytes / 1024, 0)} KB` +
          (report.problems.length > 0 ? `; problems: ${report.problems.join("; ")}` : ""),
      },
    ];
  },
} satisfies Benchmark;
