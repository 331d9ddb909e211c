/**
 * Each function's zip trimmed to its own handler. The bundles are split (serverless.yml `splitting`): what a
 * handler imports with a dynamic `import()` (the run-end SDK clients) lands in chunk files it reads only
 * when it needs them, so a cold start does not parse them. serverless-esbuild builds every handler into one
 * folder and zips the whole folder into every function, so each zip would hold every handler's chunks; this
 * keeps in a function's zip only its entry and the chunks that entry can reach (esbuild's metafile is the
 * graph), drops the metafiles, and keeps everything else (the catalogue).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { unzipSync, type Zippable, zipSync } from "fflate";

/** The part of an esbuild metafile read here. */
export interface Metafile {
  outputs: Record<
    string,
    { entryPoint?: string; imports: { path: string; kind: string; external?: boolean }[] }
  >;
}

/**
 * The output files of one build, relative to the build folder (as they are named in the zip): `entry` (the
 * zip name of the handler's bundle, e.g. `handlers/status.mjs`) and every chunk it imports, statically or
 * with `import()`, transitively; and all the build's outputs, so that the caller can tell a chunk from a
 * file of its own. esbuild names outputs relative to its working folder: the entry's name gives the prefix.
 */
export function reachableOutputs(
  meta: Metafile,
  entry: string,
): { reachable: Set<string>; all: Set<string> } {
  const entryKey = Object.keys(meta.outputs).find((k) => meta.outputs[k]?.entryPoint && k.endsWith(entry));
  if (!entryKey) throw new Error(`the esbuild metafile has no output ${entry}`);
  const prefix = entryKey.slice(0, entryKey.length - entry.length);
  const inZip = (key: string) => (key.startsWith(prefix) ? key.slice(prefix.length) : key);
  const reachable = new Set<string>();
  const visit = (key: string) => {
    if (reachable.has(inZip(key))) return;
    reachable.add(inZip(key));
    for (const i of meta.outputs[key]?.imports ?? [])
      if (!i.external && meta.outputs[i.path] !== undefined) visit(i.path);
  };
  visit(entryKey);
  return { reachable, all: new Set(Object.keys(meta.outputs).map(inZip)) };
}

/** A fixed date (zip dates start in 1980), so that the same files make the same zip, as serverless-esbuild's. */
const ZIP_DATE = new Date(1980, 0, 1);
/** A regular file, rw-r--r--, made on Unix: Lambda must be able to read it. */
const FILE_ATTRS = { os: 3, attrs: (0o100644 << 16) >>> 0, mtime: ZIP_DATE };

/**
 * Rewrites the zip at `path` without `drop(name)` files; the names dropped. Entries keep their order and
 * contents; dates and modes are set as above.
 */
export function dropFromZip(path: string, drop: (name: string) => boolean): string[] {
  const entries = unzipSync(readFileSync(path));
  const kept: Zippable = {};
  const dropped: string[] = [];
  for (const [name, data] of Object.entries(entries)) {
    if (name.endsWith("/")) continue;
    if (drop(name)) dropped.push(name);
    else kept[name] = [data, FILE_ATTRS];
  }
  if (dropped.length > 0) writeFileSync(path, zipSync(kept));
  return dropped;
}

/**
 * Trims one function's zip: esbuild outputs (of any handler's build, `allOutputs`) that its entry cannot
 * reach and the metafiles go; the rest stays. The names dropped.
 */
export function trimFunctionZip(
  zipPath: string,
  own: Set<string>,
  allOutputs: Set<string>,
  isMetafile: (name: string) => boolean,
): string[] {
  return dropFromZip(zipPath, (name) => isMetafile(name) || (allOutputs.has(name) && !own.has(name)));
}
