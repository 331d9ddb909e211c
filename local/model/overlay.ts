/**
 * Limits a service documents but its model does not carry (ECS's model has no bound on RunTask `count`,
 * yet the API reference says 1..10), added to a model as data so the same checker enforces them.
 */
import type { BotocoreModel, Shape } from "./model-types.ts";

export interface MemberConstraint {
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
}

/** `"Structure.member"` → the extra constraints on that member's value. */
export type ConstraintOverlay = Readonly<Record<string, MemberConstraint>>;

/**
 * A copy of `model` where each overlaid member points at a new shape `Structure$member`: its old shape plus
 * the extra constraints. Other users of the old shape are untouched.
 */
export function applyConstraints(model: BotocoreModel, overlay: ConstraintOverlay): BotocoreModel {
  const shapes: Record<string, Shape> = { ...model.shapes };
  for (const [target, constraint] of Object.entries(overlay)) {
    const [structName, memberName, extra] = target.split(".");
    if (!structName || !memberName || extra !== undefined)
      throw new Error(`overlay key ${target}: expected Structure.member`);
    const struct = shapes[structName];
    const member = struct?.members?.[memberName];
    if (!struct || !member) throw new Error(`overlay key ${target}: no such member in the model`);
    const base = shapes[member.shape];
    if (!base) throw new Error(`overlay key ${target}: member shape ${member.shape} missing`);
    const name = `${structName}$${memberName}`;
    shapes[name] = { ...base, ...constraint };
    shapes[structName] = {
      ...struct,
      members: { ...struct.members, [memberName]: { ...member, shape: name } },
    };
  }
  return { ...model, shapes };
}
