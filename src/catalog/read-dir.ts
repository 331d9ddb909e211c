/** Reading a jobs folder from disk (CLI, local mode, packaging). */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { EcsJobsError } from "../errors.ts";
import { DEFAULTS_FILE, type ParseResult, parseJobs, type SpecText } from "../spec/parse.ts";

export interface JobsDirText {
  files: SpecText[];
  defaults?: SpecText;
}

/** `_`-prefixed files are ignored; `defaults.yml` goes under every job. Names are shown relative to cwd. */
export function readJobsDir(dir: string, cwd = process.cwd()): JobsDirText {
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch (cause) {
    throw new EcsJobsError(
      "JobsDirNotFound",
      `cannot read the jobs folder ${dir}: ${(cause as Error).message}`,
      { cause },
    );
  }
  const out: JobsDirText = { files: [] };
  // Each file's name as shown is the folder's, relative to cwd, joined once per file: path.relative per
  // file was a tenth of reading a 1,000-file folder. Same result: a file is never cwd itself.
  const shownDir = relative(cwd, dir);
  for (const name of entries) {
    if (!/\.ya?ml$/.test(name) || name.startsWith("_")) continue;
    const path = join(dir, name);
    const text: SpecText = { file: join(shownDir, name), text: readFileSync(path, "utf8") };
    if (DEFAULTS_FILE.test(name)) out.defaults = text;
    else out.files.push(text);
  }
  return out;
}

export function loadJobsDir(dir: string, cwd?: string): ParseResult {
  const { files, defaults } = readJobsDir(dir, cwd);
  return parseJobs(files, defaults);
}
