/**
 * The run store's storage port (src/ledger/storage.ts) in memory, enforcing what the DynamoDB table would:
 * conditions evaluated on the stored item (an absent attribute equals nothing and is less than nothing),
 * indexes built from the table's own definition (src/ledger/dynamo-table.ts: sparse, newest first, pages
 * that end with the key of their last item), the 400 KB item limit, and items stored and read as copies with
 * undefined values dropped (the document client's `removeUndefinedValues`). Each call yields once before it
 * acts, so concurrent callers interleave between calls as they would against a table.
 * For test/ and bench/ (which may not import test/); imports only the product.
 */
import { ValidationError } from "../src/errors.ts";
import { RUN_TABLE_DEFINITION } from "../src/ledger/dynamo-table.ts";
import type { Condition, IndexName, Item, ItemUpdate, KeyPage, Storage } from "../src/ledger/storage.ts";

/** DynamoDB's item size limit. */
export const ITEM_LIMIT_BYTES = 400 * 1024;

/** A deep copy without undefined values, as an item comes back from DynamoDB. */
function copy<T>(value: T): T {
  if (value instanceof Uint8Array) return new Uint8Array(value) as T;
  if (Array.isArray(value)) return value.filter((v) => v !== undefined).map(copy) as T;
  if (value !== null && typeof value === "object")
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, copy(v)]),
    ) as T;
  return value;
}

/** An item's size as DynamoDB counts it, near enough: names and values in UTF-8, binary as its bytes. */
export function itemSize(value: unknown): number {
  if (value instanceof Uint8Array) return value.byteLength;
  if (typeof value === "string") return Buffer.byteLength(value);
  if (typeof value === "number" || typeof value === "boolean") return 8;
  if (Array.isArray(value)) return 3 + value.reduce((n: number, v) => n + 1 + itemSize(v), 0);
  if (value !== null && typeof value === "object")
    return 3 + Object.entries(value).reduce((n, [k, v]) => n + 1 + Buffer.byteLength(k) + itemSize(v), 0);
  return 1;
}

function holds(c: Condition, item: Item | undefined): boolean {
  switch (c.op) {
    case "absent":
      return item?.[c.name] === undefined;
    case "=":
      return item?.[c.name] !== undefined && item[c.name] === c.value;
    case "<>":
      return item?.[c.name] !== undefined && item[c.name] !== c.value;
    case "<": {
      const v = item?.[c.name];
      return typeof v === typeof c.value && (v as typeof c.value) < c.value;
    }
    case "and":
      return c.of.every((part) => holds(part, item));
    case "or":
      return c.of.some((part) => holds(part, item));
  }
}

const INDEXES = Object.fromEntries(
  RUN_TABLE_DEFINITION.GlobalSecondaryIndexes.map((g) => [
    g.IndexName,
    {
      hash: g.KeySchema.find((k) => k.KeyType === "HASH")?.AttributeName ?? "",
      range: g.KeySchema.find((k) => k.KeyType === "RANGE")?.AttributeName ?? "",
    },
  ]),
) as Record<IndexName, { hash: string; range: string }>;

export class MemoryStorage implements Storage {
  readonly items = new Map<string, Item>();
  /** The largest item written so far, in bytes (itemSize). */
  largestItem = 0;

  private store(item: Item): void {
    const size = itemSize(item);
    if (size > ITEM_LIMIT_BYTES)
      throw new ValidationError(`item ${item.pk}: ${size} bytes, over the ${ITEM_LIMIT_BYTES} an item holds`);
    this.largestItem = Math.max(this.largestItem, size);
    this.items.set(item.pk, copy(item));
  }

  async get(pk: string) {
    await Promise.resolve();
    const item = this.items.get(pk);
    return item && copy(item);
  }

  async getMany(pks: readonly string[]) {
    await Promise.resolve();
    return pks.flatMap((pk) => {
      const item = this.items.get(pk);
      return item ? [copy(item)] : [];
    });
  }

  async put(item: Item, condition?: Condition) {
    await Promise.resolve();
    if (condition && !holds(condition, this.items.get(item.pk))) return false;
    this.store(item);
    return true;
  }

  async exchange(item: Item, condition?: Condition) {
    await Promise.resolve();
    const stored = this.items.get(item.pk);
    if (condition && !holds(condition, stored)) return { written: false } as const;
    this.store(item);
    return { written: true, ...(stored && { previous: copy(stored) }) } as const;
  }

  async update(pk: string, change: ItemUpdate, condition?: Condition) {
    await Promise.resolve();
    const stored = this.items.get(pk);
    if (condition && !holds(condition, stored)) return undefined;
    const next: Item = { ...(stored ?? { pk }), ...copy(change.set ?? {}) };
    for (const [k, v] of Object.entries(change.setIfAbsent ?? {}))
      if (next[k] === undefined) next[k] = copy(v);
    for (const k of change.remove ?? []) delete next[k];
    this.store(next);
    return copy(next);
  }

  async query(index: IndexName, value: string, page: { limit: number; after?: Record<string, unknown> }) {
    await Promise.resolve();
    const { hash, range } = INDEXES[index];
    const order = (i: Record<string, unknown>) => `${String(i[range])}\n${String(i.pk)}`;
    const listed = [...this.items.values()]
      .filter((i) => i[hash] === value && typeof i[range] === "string")
      .sort((a, b) => (order(a) < order(b) ? 1 : order(a) > order(b) ? -1 : 0));
    const start = page.after ? listed.filter((i) => order(i) >= order(page.after ?? {})).length : 0;
    const items = listed.slice(start, start + page.limit);
    const lastItem = items.length === page.limit ? items.at(-1) : undefined;
    const out: KeyPage = { keys: items.map((i) => i.pk) };
    if (lastItem) out.last = { pk: lastItem.pk, [hash]: lastItem[hash], [range]: lastItem[range] };
    return out;
  }
}
