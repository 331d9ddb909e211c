/**
 * The storage port under the run store (run-store.ts): items addressed by one string key `pk`, read, written
 * under a condition, listed through the table's indexes (dynamo-table.ts). It is the part of DynamoDB the
 * ledger uses and no more, so the DynamoDB adapter (dynamo-storage.ts) is a translation, and the in-memory
 * adapter (gen/memory-storage.ts) can enforce exactly the same conditions: they are data (`Condition`),
 * compiled to a ConditionExpression by one and evaluated on the stored item by the other.
 */

/** One stored item: `pk` and attributes (strings, numbers, booleans, bytes, and plain objects of them). */
export type Item = { pk: string } & Record<string, unknown>;

export type Scalar = string | number | boolean;

/**
 * What must hold of the stored item (an absent item has no attributes) for a write to happen. An attribute
 * that is absent is equal to nothing, unequal to nothing and less than nothing, as in DynamoDB.
 */
export type Condition =
  | { op: "absent"; name: string }
  | { op: "=" | "<>"; name: string; value: Scalar }
  | { op: "<"; name: string; value: Scalar }
  | { op: "and" | "or"; of: Condition[] };

export const absent = (name: string): Condition => ({ op: "absent", name });
export const equals = (name: string, value: Scalar): Condition => ({ op: "=", name, value });
export const notEquals = (name: string, value: Scalar): Condition => ({ op: "<>", name, value });
export const lessThan = (name: string, value: Scalar): Condition => ({ op: "<", name, value });
export const anyOf = (...of: Condition[]): Condition => ({ op: "or", of });
export const allOf = (...of: Condition[]): Condition => ({ op: "and", of });

/** A change of some attributes of an item, creating it when missing (UpdateItem). */
export interface ItemUpdate {
  set?: Record<string, unknown>;
  /** Set only where the attribute is absent: a claim keeps its first taker. */
  setIfAbsent?: Record<string, unknown>;
  remove?: string[];
}

/** The table's indexes (dynamo-table.ts INDEX), each listing item keys newest first. */
export type IndexName = "byJob" | "recent" | "active";

export interface KeyPage {
  keys: string[];
  /** Where the next page starts; absent when the index has no more (it may be present on the last page). */
  last?: Record<string, unknown>;
}

export interface Storage {
  /** The item as stored now (a strongly consistent read). */
  get(pk: string): Promise<Item | undefined>;
  /** Several items, as stored a moment ago (eventually consistent); missing ones are left out, any order. */
  getMany(pks: readonly string[]): Promise<Item[]>;
  /** Writes the whole item if `condition` holds of the stored one; false when it does not. */
  put(item: Item, condition?: Condition): Promise<boolean>;
  /**
   * As put, answering with the item it replaced (PutItem's ALL_OLD): one atomic exchange, so that of
   * simultaneous writers each learns a distinct predecessor without a read first.
   */
  exchange(
    item: Item,
    condition?: Condition,
  ): Promise<{ written: false } | { written: true; previous?: Item }>;
  /** Changes the item if `condition` holds; resolves to the item after the change, undefined when it did not. */
  update(pk: string, change: ItemUpdate, condition?: Condition): Promise<Item | undefined>;
  /** The keys of the items under `value` in `index`, newest first, `limit` at most, after `after`. */
  query(
    index: IndexName,
    value: string,
    page: { limit: number; after?: Record<string, unknown> },
  ): Promise<KeyPage>;
}
