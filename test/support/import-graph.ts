/**
 * Every import edge between the repository's own files, read by a real parser (oxc: TypeScript 7's
 * compiler has no JS API to ask), so that type-only imports, re-exports and `import("…")` with a literal
 * all count: an upward `import type` couples the layers as much as a value import does.
 */
import { type Dirent, readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { parseSync } from "oxc-parser";

export const ROOT = join(import.meta.dirname, "..", "..");

export interface ImportEdge {
  /** Repository-relative paths with forward slashes, e.g. `src/app/sweep.ts`. */
  from: string;
  to: string;
  /** Where the import is written, `file:line`, for a failure message a reader can jump to. */
  at: string;
}

/**
 * The .ts files under these repository folders (node_modules and build output skipped). `root` is the
 * repository's by default; a test of the rules themselves passes a fixture tree shaped like one.
 */
export function sourceFiles(folders: string[], root = ROOT): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(join(root, dir), { withFileTypes: true });
    } catch {
      return; // a folder this branch does not have (e.g. local/ before it moves out of src/)
    }
    for (const entry of entries) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory() && !["node_modules", ".esbuild", ".serverless"].includes(entry.name))
        walk(path);
      else if (entry.isFile() && entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts"))
        files.push(path);
    }
  };
  for (const folder of folders) walk(folder);
  return files;
}

/** The relative imports of one file (package imports are left out: they are no layer of ours). */
export function importsOf(file: string, root = ROOT): ImportEdge[] {
  const text = readFileSync(join(root, file), "utf8");
  const parsed = parseSync(file, text);
  if (parsed.errors.length > 0) throw new Error(`${file}: cannot be parsed: ${parsed.errors[0]?.message}`);
  const mod = parsed.module;
  const specifiers: { value: string; start: number }[] = [
    ...mod.staticImports.map((i) => ({ value: i.moduleRequest.value, start: i.start })),
    ...mod.staticExports.flatMap((e) =>
      e.entries.flatMap((x) => (x.moduleRequest ? [{ value: x.moduleRequest.value, start: e.start }] : [])),
    ),
    ...mod.dynamicImports.flatMap((d) => {
      const literal = /^(["'`])([^"'`$]*)\1$/.exec(text.slice(d.moduleRequest.start, d.moduleRequest.end));
      return literal?.[2] ? [{ value: literal[2], start: d.start }] : [];
    }),
  ];
  const lineAt = (offset: number) => text.slice(0, offset).split("\n").length;
  return specifiers
    .filter((s) => s.value.startsWith("."))
    .map((s) => ({
      from: file,
      to: relative(root, normalize(join(root, dirname(file), s.value))).replaceAll("\\", "/"),
      at: `${file}:${lineAt(s.start)}`,
    }));
}

/** The packages a file imports at run time (type-only imports, erased by the compiler, left out). */
export function runtimePackagesOf(file: string): string[] {
  const parsed = parseSync(file, readFileSync(join(ROOT, file), "utf8"));
  const mod = parsed.module;
  const named = [
    ...mod.staticImports
      .filter((i) => i.entries.length === 0 || i.entries.some((e) => !e.isType))
      .map((i) => i.moduleRequest.value),
    ...mod.staticExports.flatMap((e) =>
      e.entries.flatMap((x) => (x.moduleRequest && !x.isType ? [x.moduleRequest.value] : [])),
    ),
  ];
  return [...new Set(named.filter((name) => !name.startsWith(".")))];
}
