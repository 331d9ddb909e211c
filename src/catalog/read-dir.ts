/** Reading a jobs folder from disk (CLI, local mode, packaging). */
import {
  closeSync,
  constants,
  type Dirent,
  fstatSync,
  openSync,
  readdirSync,
  readlinkSync,
  readSync,
  realpathSync,
  type Stats,
} from "node:fs";
import { join, relative, sep } from "node:path";
import { EcsJobsError, type SpecIssue } from "../errors.ts";
import {
  DEFAULTS_FILE,
  type ParseOptions,
  type ParseResult,
  parseJobs,
  type SpecText,
} from "../jobspec/parse.ts";

export interface JobsDirText {
  files: SpecText[];
  defaults?: SpecText;
  /** Entries that could not be read as specs (not a file, a link out of the folder, too large …). */
  issues: SpecIssue[];
}

/** Far above any real spec (the largest example is ~2 KB), far below what would strain the parsers. */
export const MAX_SPEC_BYTES = 1024 * 1024;

const count = (n: number) => n.toLocaleString("en-US");

function kindOf(s: Stats | Dirent): string {
  if (s.isDirectory()) return "a directory";
  if (s.isFIFO()) return "a FIFO";
  if (s.isSocket()) return "a socket";
  if (s.isCharacterDevice()) return "a character device";
  if (s.isBlockDevice()) return "a block device";
  return "not a file";
}
const notAFile = (s: Stats | Dirent) => `not a regular file (${kindOf(s)}); a spec must be a file`;

const inside = (root: string, path: string) => path === root || path.startsWith(root + sep);

/**
 * One entry's text, or why it is not read. Only regular files, and links resolving to regular files inside
 * the folder. Opened with O_NONBLOCK (a FIFO swapped in after the check must not block the open) and, for a
 * non-link, O_NOFOLLOW; the opened file is checked again (fstat) and read to at most MAX_SPEC_BYTES + 1.
 */
function readEntry(dir: string, root: string, entry: Dirent): { text: string } | { problem: string } {
  const path = join(dir, entry.name);
  let flags = constants.O_RDONLY | constants.O_NONBLOCK;
  if (entry.isSymbolicLink()) {
    let target: string;
    try {
      target = realpathSync(path);
    } catch {
      return { problem: `a symbolic link to nothing (${readlinkSync(path)} does not exist)` };
    }
    if (!inside(root, target))
      return {
        problem: `a symbolic link to ${target}, outside the jobs folder; specs are read from the folder only`,
      };
  } else if (!entry.isFile()) {
    return { problem: notAFile(entry) };
  } else {
    flags |= constants.O_NOFOLLOW;
  }
  let fd: number;
  try {
    fd = openSync(path, flags);
  } catch (error) {
    return { problem: `cannot open: ${(error as Error).message}` };
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) return { problem: notAFile(stats) };
    if (stats.size > MAX_SPEC_BYTES) return { problem: tooLarge(count(stats.size)) };
    // Only the size fstat gave (at most MAX_SPEC_BYTES): a file that grows meanwhile is read no further.
    const buffer = Buffer.allocUnsafe(stats.size);
    let length = 0;
    while (length < buffer.length) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    return { text: buffer.toString("utf8", 0, length) };
  } catch (error) {
    return { problem: `cannot read: ${(error as Error).message}` };
  } finally {
    closeSync(fd);
  }
}

const tooLarge = (size: string) =>
  `the file is ${size} bytes; a spec may be at most ${count(MAX_SPEC_BYTES)} bytes (1 MiB)`;

/** `_`-prefixed files are ignored; `defaults.yml` goes under every job. Names are shown relative to cwd. */
export function readJobsDir(dir: string, cwd = process.cwd()): JobsDirText {
  let entries: Dirent[];
  let root: string;
  try {
    entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    root = realpathSync(dir);
  } catch (cause) {
    throw new EcsJobsError(
      "JobsDirNotFound",
      `cannot read the jobs folder ${dir}: ${(cause as Error).message}`,
      { cause },
    );
  }
  const out: JobsDirText = { files: [], issues: [] };
  // Each file's name as shown is the folder's, relative to cwd, joined once per file: path.relative per
  // file was a tenth of reading a 1,000-file folder. Same result: a file is never cwd itself.
  const shownDir = relative(cwd, dir);
  const problem = (file: string, message: string) =>
    out.issues.push({ file, line: 1, column: 1, path: "", message });
  for (const entry of entries) {
    const name = entry.name;
    if (!/\.ya?ml$/.test(name) || name.startsWith("_")) continue;
    const file = join(shownDir, name);
    const isDefaults = DEFAULTS_FILE.test(name);
    if (isDefaults && out.defaults) {
      // defaults.yaml sorts first; which one a user meant is not for us to guess.
      const other = out.defaults.file.split(/[\\/]/).pop();
      problem(file, `${other} is there too: keep one defaults file (this one was not read)`);
      continue;
    }
    const read = readEntry(dir, root, entry);
    if ("problem" in read) {
      problem(file, read.problem);
      continue;
    }
    const text: SpecText = { file, text: read.text };
    if (isDefaults) out.defaults = text;
    else out.files.push(text);
  }
  return out;
}

export function loadJobsDir(dir: string, cwd?: string, options: ParseOptions = {}): ParseResult {
  const { files, defaults, issues } = readJobsDir(dir, cwd);
  const parsed = parseJobs(files, defaults, options);
  if (issues.length === 0) return parsed;
  // By file, as the folder lists them; within a file the parser's order (stable sort).
  const all = [...issues, ...parsed.issues].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { ...parsed, issues: all };
}
