/** Loading the jobs of `--jobs DIR` for a command, and finding one by name. */
import { basename, resolve } from "node:path";
import { loadJobsDir } from "../catalog/read-dir.ts";
import { formatSpecIssue } from "../errors.ts";
import { didYouMean } from "../jobspec/messages.ts";
import type { ParseResult } from "../jobspec/parse.ts";
import type { Job } from "../jobspec/schema.ts";
import { CliExit, type CliIo, DEFAULT_JOBS_DIR, EXIT_FAILED } from "./context.ts";

/**
 * Per CLI invocation (one `io`) and folder, the folder is read and parsed once: `run` needs the job and then
 * the catalogue for its Deps, and parsing a large folder twice doubled its cost.
 */
const loaded = new WeakMap<CliIo, Map<string, ParseResult>>();

/** `now`: also check what depends on the time (schedules that never fire again); validate and list pass it. */
export function loadJobs(io: CliIo, dir: string | undefined, now?: Date): ParseResult {
  const path = resolve(io.cwd, dir ?? DEFAULT_JOBS_DIR);
  const byDir = loaded.get(io) ?? new Map<string, ParseResult>();
  loaded.set(io, byDir);
  const result = byDir.get(path) ?? loadJobsDir(path, io.cwd, now ? { now } : {});
  byDir.set(path, result);
  return result;
}

/** Prints every spec problem to stderr, then the warnings; returns whether there were problems. */
export function reportIssues(io: CliIo, result: ParseResult): boolean {
  for (const issue of result.issues) io.stderr(`${formatSpecIssue(issue)}\n`);
  for (const w of result.warnings ?? [])
    io.stderr(`${formatSpecIssue({ ...w, message: `warning: ${w.message}` })}\n`);
  return result.issues.length > 0;
}

/** The named job, valid. Problems in other files are shown as warnings; they do not stop this command. */
export function requireJob(io: CliIo, dir: string | undefined, name: string): Job {
  const result = loadJobs(io, dir);
  const job = result.jobs.find((j) => j.name === name);
  if (job) {
    if (result.issues.length > 0)
      io.stderr(`warning: ${result.issues.length} problem(s) in other specs; run ecs-jobs validate\n`);
    return job;
  }
  const own = result.issues.filter((i) => basename(i.file).replace(/\.ya?ml$/, "") === name);
  if (own.length > 0) {
    reportIssues(io, { jobs: [], issues: own });
    throw new CliExit(EXIT_FAILED, `job ${name} is invalid`);
  }
  throw new CliExit(
    EXIT_FAILED,
    `unknown job "${name}"${didYouMean(
      name,
      result.jobs.map((j) => j.name),
    )}`,
  );
}
