/** Cutting a botocore model down to some operations and the shapes they reach, without documentation. */
import { type BotocoreModel, type Operation, referencedShapes, type Shape } from "./model-types.ts";

/** Documentation only: dropped so the trimmed copy stays small. */
const DOC_KEYS = new Set(["documentation", "documentationUrl"]);

function withoutDocs<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutDocs) as T;
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (!DOC_KEYS.has(k)) out[k] = withoutDocs(v);
  return out as T;
}

/** The model restricted to `operations`, every shape they reach (inputs, outputs, errors), and no docs. */
export function trimModel(model: BotocoreModel, operations: readonly string[]): BotocoreModel {
  const ops: Record<string, Operation> = {};
  const reached = new Set<string>();
  const queue: string[] = [];
  const visit = (name: string) => {
    if (reached.has(name)) return;
    if (!model.shapes[name]) throw new Error(`shape ${name} is referenced but not defined`);
    reached.add(name);
    queue.push(name);
  };
  for (const name of operations) {
    const op = model.operations[name];
    if (!op) throw new Error(`model has no operation ${name}`);
    ops[name] = withoutDocs(op);
    for (const ref of [op.input, op.output, ...(op.errors ?? [])]) if (ref) visit(ref.shape);
  }
  for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
    for (const ref of referencedShapes(model.shapes[name] as Shape)) visit(ref);
  }
  const shapes: Record<string, Shape> = {};
  // Source order, so regenerating gives a stable diff.
  for (const [name, shape] of Object.entries(model.shapes))
    if (reached.has(name)) shapes[name] = withoutDocs(shape);
  const { documentation: _docs, operations: _ops, shapes: _shapes, ...rest } = model;
  return { ...withoutDocs(rest), operations: ops, shapes } as BotocoreModel;
}
