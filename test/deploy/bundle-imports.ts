/**
 * The relative imports between the files of a packaged function, read from the minified code itself (not
 * from esbuild's metafile, which is what the packaging step trusts): `import … from"./x.mjs"`,
 * `import"./x.mjs"` and `import("./x.mjs")`.
 */
import { posix } from "node:path";

const RELATIVE_IMPORT = /(?:\bfrom\s*|\bimport\s*(\()?\s*)["'](\.{1,2}\/[^"']+)["']/g;

export interface ImportClosure {
  /** The files reached from the entry, the entry included, sorted. */
  reached: string[];
  /** Imports of files the archive does not hold, as `importer -> name`. */
  missing: string[];
}

/**
 * The files `entry` reaches through relative imports, transitively; with `dynamic: false` only through
 * static imports (what loading the entry evaluates), else through `import()` too.
 */
export function importClosure(
  files: Map<string, Buffer>,
  entry: string,
  { dynamic }: { dynamic: boolean },
): ImportClosure {
  const reached = new Set<string>();
  const missing: string[] = [];
  const visit = (name: string) => {
    if (reached.has(name)) return;
    reached.add(name);
    const code = files.get(name)?.toString("utf8") ?? "";
    for (const m of code.matchAll(RELATIVE_IMPORT)) {
      if (m[1] && !dynamic) continue;
      const target = posix.join(posix.dirname(name), m[2] as string);
      if (files.has(target)) visit(target);
      else missing.push(`${name} -> ${target}`);
    }
  };
  visit(entry);
  return { reached: [...reached].sort(), missing };
}
