/**
 * Finding where a field path stands in a YAML text, for errors that point at a line and column. The text is
 * read again by js-yaml (the one parser) with a listener that records where each node starts; only files
 * with a problem to place pay for it.
 */
import jsYaml from "js-yaml";

export type FieldPath = readonly (string | number)[];

export interface Position {
  line: number;
  column: number;
}

/** A node as placed in the text: where it starts, and for maps and lists where their entries start. */
interface PlacedNode {
  start: number;
  /** A map's entries by key text (the first of repeated keys): the key's start and the value. */
  entries?: Map<string, { keyStart: number; value: PlacedNode }>;
  items?: PlacedNode[];
}

/** A parsed file: its text positions and its node tree. */
export interface SourceFile {
  file: string;
  root: PlacedNode | undefined;
  lineStarts: number[];
}

interface Frame {
  open: number;
  children: PlacedNode[];
  keys: unknown[];
}

/** js-yaml's `open` comes before the separation space before the node: the node starts after it. */
function contentStart(text: string, at: number): number {
  let i = at;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
    else if (c === 0x23 /* # */ && (i === 0 || /\s/.test(text[i - 1] ?? ""))) {
      while (i < text.length && text.charCodeAt(i) !== 0x0a) i++;
    } else return i;
  }
}

interface ListenerState {
  position: number;
  kind: string | null;
  result: unknown;
}

/**
 * Places every node of `text`, which js-yaml has read without error. Iterative listener (no recursion of its
 * own): js-yaml caps the nesting it reads.
 */
export function placeSource(file: string, text: string, options: jsYaml.LoadOptions): SourceFile {
  const stack: Frame[] = [{ open: 0, children: [], keys: [] }];
  const listener = (event: "open" | "close", state: ListenerState) => {
    if (event === "open") {
      stack.push({ open: state.position, children: [], keys: [] });
      return;
    }
    const frame = stack.pop() as Frame;
    const node: PlacedNode = { start: contentStart(text, frame.open) };
    if (state.kind === "mapping") {
      // Entries close in order: key, then value.
      const entries = new Map<string, { keyStart: number; value: PlacedNode }>();
      for (let i = 0; i + 1 < frame.children.length; i += 2) {
        const key = String(frame.keys[i]);
        if (!entries.has(key))
          entries.set(key, {
            keyStart: (frame.children[i] as PlacedNode).start,
            value: frame.children[i + 1] as PlacedNode,
          });
      }
      node.entries = entries;
    } else if (state.kind === "sequence") node.items = frame.children;
    const parent = stack.at(-1) as Frame;
    parent.children.push(node);
    parent.keys.push(state.result);
  };
  jsYaml.load(text, { ...options, listener } as jsYaml.LoadOptions);
  const lineStarts = [0];
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) lineStarts.push(i + 1);
  return { file, root: stack[0]?.children.at(-1), lineStarts };
}

/** 1-based line and column of an offset. */
function positionOf(source: Pick<SourceFile, "lineStarts">, offset: number): Position {
  let lo = 0;
  let hi = source.lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((source.lineStarts[mid] as number) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - (source.lineStarts[lo] as number) + 1 };
}

/**
 * The position of the deepest node along `path`: the key of a map entry (so the error points at the field's
 * name), or the item of a list. `exact` tells whether the whole path was found.
 */
export function locate(source: SourceFile, path: FieldPath): { at: Position; exact: boolean } {
  let node = source.root;
  let offset = node?.start ?? 0;
  let depth = 0;
  for (const segment of path) {
    if (node?.entries) {
      const entry = node.entries.get(String(segment));
      if (!entry) break;
      offset = entry.keyStart;
      node = entry.value;
    } else if (node?.items && typeof segment === "number") {
      const item = node.items[segment];
      if (item === undefined) break;
      offset = item.start;
      node = item;
    } else {
      break;
    }
    depth++;
  }
  return { at: positionOf(source, offset), exact: depth === path.length };
}

/** Whether the document defines `path` (used to tell a job's own value from one it inherits). */
export const defines = (source: SourceFile, path: FieldPath): boolean => locate(source, path).exact;
