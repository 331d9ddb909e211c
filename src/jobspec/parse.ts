/**
 * From spec file texts to validated jobs, with every problem of every file located (file:line:col path).
 * Pure: the caller reads the files (CLI from disk, Lambda from the bundled catalogue).
 */
import jsYaml from "js-yaml";
import type { z } from "zod";
import type { SpecIssue } from "../errors.ts";
import { type FieldPath, locate, placeSource, type SourceFile } from "./locate.ts";
import { didYouMean, issueMessage } from "./messages.ts";
import { RESERVED_KEYS, reservedKeyMessage, reservedKeyPaths, withoutReservedKeys } from "./reserved-keys.ts";
import { crossFieldIssues } from "./rules.ts";
import { scheduleTimeIssues } from "./schedule-rules.ts";
import { JOB_NAME_PATTERN, type Job, JobSpecSchema } from "./schema.ts";

export interface SpecText {
  /** As it should appear in messages, e.g. `jobs/report.yml`. */
  file: string;
  text: string;
}

export interface ParseResult {
  jobs: Job[];
  issues: SpecIssue[];
  /** Not wrong, but worth saying (a one-time schedule in the past); they do not make a job invalid. */
  warnings?: SpecIssue[];
}

export interface ParseOptions {
  /** When the check runs, for what depends on it (schedules that never fire again); omitted: not checked. */
  now?: Date;
}

export const DEFAULTS_FILE = /(^|\/)defaults\.ya?ml$/;

/**
 * A spec file read for its value by js-yaml, and read again with positions (locate.ts) only when a problem
 * has to be placed: most files are valid, and the placing read costs about half as much again.
 */
interface Source {
  file: string;
  value: unknown;
  located: () => SourceFile;
}

/** js-yaml's nesting limit: deeper documents are refused where the limit is passed, before any recursion. */
export const MAX_NESTING = 100;

/** maxDepth is js-yaml's (4.1.1+) though its types do not list it yet. */
const loadOptions = (file: string) =>
  ({ schema: jsYaml.CORE_SCHEMA, filename: file, maxDepth: MAX_NESTING }) as jsYaml.LoadOptions;

/** Where js-yaml's reason and place differ from what a person looks for, the message and place that help. */
function yamlIssue(spec: SpecText, error: InstanceType<typeof jsYaml.YAMLException>): SpecIssue {
  const reason = error.reason ?? "";
  let line = (error.mark?.line ?? 0) + 1;
  let column = (error.mark?.column ?? 0) + 1;
  let message = `invalid YAML: ${reason}`;
  if (/nesting exceeded maxDepth/.test(reason))
    message = `invalid YAML: nested more than ${MAX_NESTING} levels deep`;
  else if (/duplicated mapping key/.test(reason)) message = "invalid YAML: Map keys must be unique";
  else if (/expected a single document/.test(reason)) {
    // js-yaml marks the start of the stream; the second document's marker is what to remove.
    const second = /^(---|\.\.\.)/m.exec(spec.text.slice(1));
    if (second) ({ line, column } = offsetPosition(spec.text, second.index + 1));
    message =
      "invalid YAML: a second document in the file (one job per file; remove the `---` or split the file)";
  } else if (/bad indentation/.test(reason)) {
    // What is wrong is the indentation, which starts the line (js-yaml marks the key after it).
    column = 1;
  }
  return { file: spec.file, line, column, path: "", message };
}

const offsetPosition = (text: string, offset: number): { line: number; column: number } => {
  const before = text.slice(0, offset);
  return { line: before.split("\n").length, column: offset - before.lastIndexOf("\n") };
};

/** Anchors make aliases, which js-yaml shares rather than copies; whatever walks the value expands them. */
const HAS_ANCHOR = /(^|[\s[{,:-])&[^\s]/m;
const FIRST_ALIAS = /(^|[\s[{,:-])\*[^\s]/m;
/** Aliases met when the value is walked as a tree, at most (as yaml's maxAliasCount was). */
const MAX_ALIASES = 100;

/**
 * How many aliases a walk of the value meets: an object reached again through another parent is an alias.
 * Counted over the shared graph with a memo per object, so a billion laughs costs its size, not its expansion.
 */
function expandedAliases(value: unknown): number {
  const seen = new Set<object>();
  const within = new Map<object, number>();
  const count = (node: object): number => {
    const known = within.get(node);
    if (known !== undefined) return known;
    let total = 0;
    for (const child of Object.values(node)) {
      if (typeof child !== "object" || child === null) continue;
      if (seen.has(child)) total += 1 + (within.get(child) ?? 0);
      else {
        seen.add(child);
        total += count(child);
      }
      if (total > MAX_ALIASES) break;
    }
    within.set(node, total);
    return total;
  };
  if (typeof value !== "object" || value === null) return 0;
  seen.add(value);
  return count(value);
}

/**
 * Bytes that are not text: control characters (js-yaml places them at line 1) and U+FFFD, which is what
 * reading a file that is not UTF-8 (Latin-1, UTF-16) as UTF-8 leaves. Reported where they are.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const NOT_TEXT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFFFD]/;

function notText(spec: SpecText): SpecIssue | undefined {
  const m = NOT_TEXT.exec(spec.text);
  if (!m) return undefined;
  const code = m[0].codePointAt(0) ?? 0;
  const what =
    code === 0xfffd
      ? "bytes that are not valid UTF-8 (save the file as UTF-8)"
      : `control character U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
  return {
    file: spec.file,
    ...offsetPosition(spec.text, m.index),
    path: "",
    message: `invalid YAML: ${what}`,
  };
}

function parseSource(spec: SpecText, issues: SpecIssue[]): Source | undefined {
  const bad = notText(spec);
  if (bad) {
    issues.push(bad);
    return undefined;
  }
  let value: unknown;
  try {
    value = jsYaml.load(spec.text, loadOptions(spec.file));
  } catch (error) {
    if (!(error instanceof jsYaml.YAMLException)) throw error;
    issues.push(yamlIssue(spec, error));
    return undefined;
  }
  if (HAS_ANCHOR.test(spec.text) && expandedAliases(value) > MAX_ALIASES) {
    const alias = FIRST_ALIAS.exec(spec.text);
    const at = alias ? alias.index + (alias[1] ?? "").length : 0;
    issues.push({
      file: spec.file,
      ...offsetPosition(spec.text, at),
      path: "",
      message: `invalid YAML: aliases expand too far (more than ${MAX_ALIASES}); write the values out`,
    });
    return undefined;
  }
  let cached: SourceFile | undefined;
  const located = () => {
    cached ??= placeSource(spec.file, spec.text, loadOptions(spec.file));
    return cached;
  };
  return { file: spec.file, value, located };
}

/** Reports reserved keys (see reserved-keys.ts) and removes them; false when there were any. */
function refuseReservedKeys(source: Source, issues: SpecIssue[]): boolean {
  const paths = reservedKeyPaths(source.value);
  if (paths.length === 0) return true;
  for (const path of paths)
    issues.push({ ...place(source, undefined, path), message: reservedKeyMessage(String(path.at(-1))) });
  source.value = withoutReservedKeys(source.value, paths);
  return false;
}

/** `push(...items)` passes every item as an argument: 300,000 issues overflowed the stack. */
function pushAll<T>(into: T[], items: readonly T[]): void {
  for (const item of items) into.push(item);
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Defaults under the job: maps merge, lists and scalars are replaced, `null` in the job removes a default. */
export function mergeDefaults(defaults: unknown, job: unknown): unknown {
  if (!isPlainObject(defaults) || !isPlainObject(job)) return job === undefined ? defaults : job;
  // Own keys only, and never a reserved one: `out["__proto__"] = …` would set the prototype (item 9).
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(defaults)) if (!RESERVED_KEYS.has(k)) out[k] = v;
  for (const [k, v] of Object.entries(job)) {
    if (RESERVED_KEYS.has(k)) continue;
    if (v === null) delete out[k];
    else out[k] = mergeDefaults(Object.hasOwn(defaults, k) ? defaults[k] : undefined, v);
  }
  return out;
}

const pathText = (path: FieldPath): string =>
  path.reduce<string>((s, p) => (typeof p === "number" ? `${s}[${p}]` : s ? `${s}.${p}` : p), "");

/** Locate a path in the job file; fall back to defaults.yml when the value came from there. */
function place(
  jobSource: Source,
  defaultsSource: Source | undefined,
  path: FieldPath,
): Omit<SpecIssue, "message"> {
  const job = jobSource.located();
  const defaults = defaultsSource?.located();
  const own = locate(job, path);
  if (!own.exact && defaults) {
    const inherited = locate(defaults, path);
    if (inherited.exact) return { file: defaults.file, ...inherited.at, path: pathText(path) };
  }
  return { file: job.file, ...own.at, path: pathText(path) };
}

/** The keys a strict object schema accepts at `path`, for "did you mean". */
function knownKeys(path: FieldPath): string[] {
  let s: z.core.$ZodType | undefined = JobSpecSchema;
  for (const segment of [...path, undefined]) {
    for (let i = 0; s && i < 8; i++) {
      const def = s._zod.def as unknown as Record<string, unknown> & { type: string };
      if (def.type === "optional" || def.type === "default") s = def.innerType as z.core.$ZodType;
      else if (def.type === "pipe") s = def.in as z.core.$ZodType;
      else if (def.type === "union") {
        s = (def.options as z.core.$ZodType[]).find(
          (o) => (o._zod.def as { type: string }).type === "object",
        );
      } else break;
    }
    if (!s) return [];
    const def = s._zod.def as unknown as Record<string, unknown> & { type: string };
    if (segment === undefined) return def.type === "object" ? Object.keys(def.shape as object) : [];
    if (def.type === "object") s = (def.shape as Record<string, z.core.$ZodType>)[String(segment)];
    else if (def.type === "array") s = def.element as z.core.$ZodType;
    else if (def.type === "record") s = def.valueType as z.core.$ZodType;
    else return [];
  }
  return [];
}

function schemaIssues(job: Source, defaults: Source | undefined, issues: z.core.$ZodIssue[]): SpecIssue[] {
  const out: SpecIssue[] = [];
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys") {
      const known = knownKeys(issue.path as FieldPath);
      for (const key of issue.keys) {
        const where = place(job, defaults, [...(issue.path as FieldPath), key]);
        out.push({ ...where, message: `unknown key "${key}"${didYouMean(key, known)}` });
      }
      continue;
    }
    if (issue.code === "invalid_union" && issue.errors.length > 0 && issue.message === "Invalid input") {
      // The union of an object and a boolean (http): report the object's own errors, they are the useful ones.
      const objectBranch = issue.errors.find((branch) => branch.some((i) => i.path.length > 0));
      if (objectBranch) {
        pushAll(
          out,
          schemaIssues(
            job,
            defaults,
            objectBranch.map((i) => ({ ...i, path: [...issue.path, ...i.path] })),
          ),
        );
        continue;
      }
    }
    out.push({ ...place(job, defaults, issue.path as FieldPath), message: issueMessage(issue) });
  }
  return out;
}

const nameFromFile = (file: string): string => (file.split("/").pop() ?? file).replace(/\.ya?ml$/, "");

/** Parse and validate all spec files at once; every problem of every file is reported. */
export function parseJobs(
  files: SpecText[],
  defaultsText?: SpecText,
  options: ParseOptions = {},
): ParseResult {
  const issues: SpecIssue[] = [];
  const warnings: SpecIssue[] = [];
  let defaults: Source | undefined;
  if (defaultsText) {
    defaults = parseSource(defaultsText, issues);
    // A defaults file with reserved keys still goes under the jobs without them; the issue fails the folder.
    if (defaults) refuseReservedKeys(defaults, issues);
    if (defaults && defaults.value != null && !isPlainObject(defaults.value)) {
      issues.push({
        file: defaultsText.file,
        line: 1,
        column: 1,
        path: "",
        message: "expected a map of job fields",
      });
      defaults = undefined;
    }
  }
  const jobs: Job[] = [];
  const seen = new Map<string, string>();
  for (const f of files) {
    const parsed = parseSource(f, issues);
    if (!parsed) continue;
    if (!isPlainObject(parsed.value)) {
      issues.push({
        file: f.file,
        line: 1,
        column: 1,
        path: "",
        message: `expected a map of job fields, got ${parsed.value == null ? "an empty file" : typeof parsed.value}`,
      });
      continue;
    }
    const clean = refuseReservedKeys(parsed, issues);
    const merged = mergeDefaults(defaults?.value ?? {}, parsed.value);
    const result = JobSpecSchema.safeParse(merged, { reportInput: true });
    if (!result.success) {
      pushAll(issues, schemaIssues(parsed, defaults, result.error.issues));
      continue;
    }
    if (!clean) continue;
    const spec = result.data;
    const name = spec.name ?? nameFromFile(f.file);
    if (!JOB_NAME_PATTERN.test(name)) {
      issues.push({
        file: f.file,
        line: 1,
        column: 1,
        path: "name",
        message: `the file name makes the job name "${name}"; expected lower-case letters, digits and '-', 1..63 characters (or set name:)`,
      });
      continue;
    }
    const other = seen.get(name);
    if (other) {
      issues.push({
        ...place(parsed, undefined, ["name"]),
        path: "name",
        message: `job name "${name}" is already used by ${other}`,
      });
      continue;
    }
    seen.set(name, f.file);
    const rules = crossFieldIssues(name, spec);
    const timed = options.now ? scheduleTimeIssues(spec, options.now) : { errors: [], warnings: [] };
    for (const w of timed.warnings) warnings.push({ ...place(parsed, defaults, w.path), message: w.message });
    rules.push(...timed.errors);
    if (rules.length > 0) {
      pushAll(
        issues,
        rules.map((r) => ({ ...place(parsed, defaults, r.path), message: r.message })),
      );
      continue;
    }
    jobs.push({ name, file: f.file, spec });
  }
  return {
    jobs,
    issues: inReadingOrder(issues),
    ...(warnings.length > 0 && { warnings: inReadingOrder(warnings) }),
  };
}

/** Files in the order they were first reported, then by position: the order a person reads them. */
function inReadingOrder(issues: SpecIssue[]): SpecIssue[] {
  const fileOrder = new Map<string, number>();
  for (const i of issues) if (!fileOrder.has(i.file)) fileOrder.set(i.file, fileOrder.size);
  const rank = (i: SpecIssue) => fileOrder.get(i.file) ?? 0;
  return issues.sort((a, b) => rank(a) - rank(b) || a.line - b.line || a.column - b.column);
}
