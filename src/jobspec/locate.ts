/** Finding where a field path stands in a YAML document, for errors that point at a line and column. */
import {
  type Document,
  isMap,
  isPair,
  isScalar,
  isSeq,
  type LineCounter,
  type Node,
  type Pair,
  type YAMLMap,
} from "yaml";

export type FieldPath = readonly (string | number)[];

export interface Position {
  line: number;
  column: number;
}

/** A parsed file: its text positions and its document. */
export interface SourceFile {
  file: string;
  doc: Document;
  lines: LineCounter;
}

/**
 * The position of the deepest node along `path`: the key of a map entry (so the error points at the field's
 * name), or the item of a list. `exact` tells whether the whole path was found.
 */
export function locate(source: SourceFile, path: FieldPath): { at: Position; exact: boolean } {
  let node: unknown = source.doc.contents;
  let offset = rangeStart(node) ?? 0;
  let depth = 0;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = pairsByKey(node).get(String(segment));
      if (!pair) break;
      offset = rangeStart(pair.key) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === "number") {
      const item = node.items[segment];
      if (item === undefined) break;
      offset = rangeStart(item) ?? offset;
      node = item;
    } else {
      break;
    }
    depth++;
  }
  const { line, col } = source.lines.linePos(offset);
  return { at: { line, column: col }, exact: depth === path.length };
}

/** Whether the document defines `path` (used to tell a job's own value from one it inherits). */
export const defines = (source: SourceFile, path: FieldPath): boolean => locate(source, path).exact;

/**
 * Each map's pairs by key text, built once: a file with 300,000 unknown keys is located 300,000 times, and
 * scanning the map each time was quadratic. The first of repeated keys wins, as the scan did.
 */
const indexes = new WeakMap<YAMLMap, Map<string, Pair>>();
function pairsByKey(map: YAMLMap): Map<string, Pair> {
  let index = indexes.get(map);
  if (!index) {
    index = new Map();
    for (const p of map.items) {
      const key = isPair(p) ? keyText(p.key) : undefined;
      if (key !== undefined && !index.has(key)) index.set(key, p as Pair);
    }
    indexes.set(map, index);
  }
  return index;
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null)?.range;
  return range ? range[0] : undefined;
}
