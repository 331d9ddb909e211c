/** Shared spec fixtures: a valid Fargate job and helpers to parse texts as if they were files in jobs/. */
import { parseJobs, type SpecText } from "../../src/jobspec/parse.ts";
import type { Job } from "../../src/jobspec/schema.ts";

export const FARGATE_JOB = `task:
  cluster: reports
  taskDefinition: report:7
  launchType: FARGATE
  network:
    subnets: [subnet-0abc]
    securityGroups: [sg-0abc]
`;

export const files = (entries: Record<string, string>): SpecText[] =>
  Object.entries(entries).map(([name, text]) => ({ file: `jobs/${name}.yml`, text }));

/** Parses one job text as jobs/<name>.yml and returns it, failing loudly if it is invalid. */
export function job(text: string, name = "report", defaults?: string): Job {
  const result = parseJobs(
    files({ [name]: text }),
    defaults ? { file: "jobs/defaults.yml", text: defaults } : undefined,
  );
  if (result.issues.length > 0 || !result.jobs[0]) {
    throw new Error(
      `expected a valid job, got:\n${result.issues.map((i) => `${i.line}:${i.column} ${i.path}: ${i.message}`).join("\n")}`,
    );
  }
  return result.jobs[0];
}
