/**
 * cfn-lint (on PATH; AWS's CloudFormation linter, nobody here wrote it) on a packaged template. Errors
 * always fail; a warning fails unless it is listed in ACCEPTED_WARNINGS with why it is accepted.
 */
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

export interface LintFinding {
  file: string;
  rule: string;
  level: "Error" | "Warning" | "Informational";
  path: string;
  message: string;
}

/**
 * Warnings accepted, each with the reason. Only ones that come from osls itself (the template it compiles
 * for the functions and the HTTP API); a warning in what deploy/ adds is fixed, not listed.
 */
export const ACCEPTED_WARNINGS: { rule: string; path: RegExp; why: string }[] = [
  {
    rule: "W3005",
    path: /^Resources\/\w+LambdaFunction\/DependsOn(\/|$)/,
    why: "osls adds DependsOn on a function's own role and log group though Role already references it; harmless (CloudFormation orders by either) and not ours to change",
  },
  {
    rule: "W3005",
    path: /^Resources\/HttpApiRoute\w+\/DependsOn(\/|$)/,
    why: "osls makes each HTTP API route depend on the integration its Target already references; harmless",
  },
];

/** One cfn-lint process for all the files: it takes tens of seconds to start on a busy machine. */
export function cfnLint(templateFiles: readonly string[]): Promise<LintFinding[]> {
  return new Promise((done, fail) => {
    execFile(
      "cfn-lint",
      ["--format", "json", "-t", ...templateFiles],
      { maxBuffer: 64 * 1024 * 1024, timeout: 240_000 },
      (error, stdout, stderr) => {
        // cfn-lint exits non-zero when it finds anything; its JSON on stdout is the answer.
        if (error && (error as { code?: unknown }).code === "ENOENT")
          return fail(new Error("cfn-lint is not on PATH (pip install cfn-lint)"));
        // Stopped (the timeout, or a signal): its output, even empty, is no verdict — "[]" is not "clean".
        const stopped = error as { killed?: boolean; signal?: string | null } | null;
        if (stopped?.killed || stopped?.signal)
          return fail(
            new Error(`cfn-lint was stopped (${stopped.signal ?? "killed"}) before its answer:\n${stderr}`),
          );
        let parsed: unknown;
        try {
          parsed = JSON.parse(stdout || "[]");
        } catch {
          return fail(new Error(`cfn-lint gave no JSON (${String(error)}):\n${stderr}`));
        }
        type Raw = {
          Filename: string;
          Level: LintFinding["level"];
          Message: string;
          Rule: { Id: string };
          Location: { Path?: (string | number)[] };
        };
        const findings = (parsed as Raw[]).map(
          (f): LintFinding => ({
            file: f.Filename,
            rule: f.Rule.Id,
            level: f.Level,
            path: (f.Location.Path ?? []).join("/"),
            message: f.Message,
          }),
        );
        done(findings);
      },
    );
  });
}

/** What must fail the test: every error, and warnings not accepted above. */
export const unacceptedFindings = (findings: readonly LintFinding[]): LintFinding[] =>
  findings.filter(
    (f) =>
      f.level === "Error" ||
      (f.level === "Warning" && !ACCEPTED_WARNINGS.some((a) => a.rule === f.rule && a.path.test(f.path))),
  );

/**
 * A template with a known error (a table without its key schema), linted beside the real one so each run
 * shows the linter does report errors: a harness that silently found nothing would prove nothing.
 */
export function brokenTemplate(dir: string): string {
  const file = join(dir, "known-broken.json");
  writeFileSync(
    file,
    JSON.stringify({
      Resources: { Runs: { Type: "AWS::DynamoDB::Table", Properties: { BillingMode: "PAY_PER_REQUEST" } } },
    }),
  );
  return file;
}
