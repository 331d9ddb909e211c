/**
 * `ecs-jobs check [NAME] --aws`: the preflight of SPEC section 6 against the account the AWS environment
 * points at (AWS_REGION, credentials, AWS_ENDPOINT_URL when set). Each problem is printed as
 * `job: path: message`; exit 1 on any, so a CI pipeline can gate a deploy on it (`--json` for tools).
 */
import type { Job } from "../../jobspec/schema.ts";
import { CliExit, DEFAULT_JOBS_DIR, EXIT_FAILED, printJson, usageError } from "../context.ts";
import { defineCommand } from "./define-command.ts";

interface CheckOptions {
  jobs: string;
  json?: boolean;
  aws?: boolean;
}

export const registerCheck = defineCommand({
  name: "check",
  argument: ["[name]", "one job (default: every job)"],
  description: "preflight: check that what the jobs name exists in the AWS account, before they first fire",
  options: (command) =>
    command
      .option("--jobs <dir>", "jobs folder", DEFAULT_JOBS_DIR)
      .option("--json", "print { jobs, problems } as JSON")
      .option("--aws", "check against AWS (credentials and region from the environment)"),
  action: async ({ io }, name: string | undefined, opts: CheckOptions) => {
    if (!opts.aws)
      throw usageError(
        "check looks at an AWS account: pass --aws (region and credentials from the environment)",
      );
    const region = io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION;
    if (!region) throw usageError("check --aws needs a region: set AWS_REGION");
    const [{ loadJobs, reportIssues, requireJob }, { preflight, formatProblem }, { awsAccount }] =
      await Promise.all([
        import("../jobs.ts"),
        import("../check/preflight.ts"),
        import("../check/aws-account.ts"),
      ]);
    let jobs: Job[];
    if (name) jobs = [requireJob(io, opts.jobs, name)];
    else {
      const result = loadJobs(io, opts.jobs);
      if (reportIssues(io, result)) throw new CliExit(EXIT_FAILED, "fix the specs first (ecs-jobs validate)");
      jobs = result.jobs;
    }
    const env = io.env;
    const account = awsAccount({
      region,
      ...(env.AWS_ENDPOINT_URL && { endpoint: env.AWS_ENDPOINT_URL }),
      ...(env.AWS_ACCESS_KEY_ID &&
        env.AWS_SECRET_ACCESS_KEY && {
          credentials: {
            accessKeyId: env.AWS_ACCESS_KEY_ID,
            secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
            ...(env.AWS_SESSION_TOKEN && { sessionToken: env.AWS_SESSION_TOKEN }),
          },
        }),
    });
    const problems = await preflight(account, jobs, region);
    if (opts.json) printJson(io, { jobs: jobs.map((j) => j.name), problems });
    else {
      for (const p of problems) io.stdout(`${formatProblem(p)}\n`);
      if (problems.length === 0) io.stdout(`ok: ${jobs.length} job(s) checked, no problem found\n`);
    }
    if (problems.length > 0)
      throw new CliExit(
        EXIT_FAILED,
        opts.json
          ? ""
          : `${problems.length} problem(s) in ${new Set(problems.map((p) => p.job)).size} job(s)`,
      );
  },
});
