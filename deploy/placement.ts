/**
 * Where a role's job-derived grants go: managed policies first (6,144 characters each, up to the role's quota),
 * then what is left into the room the role's inline policies leave (10,240 characters for all of them together,
 * the fixed base statements included). The inline room is worth ~8,000 characters on every role (the base
 * statements take ~1,700): about 140 more task definition families at no cost.
 */
import {
  MANAGED_POLICY_MAX_CHARS,
  MANAGED_POLICY_PACKING_CHARS,
  type PolicyDocument,
  packStatements,
  policySize,
  ROLE_INLINE_POLICIES_MAX_CHARS,
  type Statement,
} from "./policy.ts";

/**
 * Kept free below the inline quota, as MANAGED_POLICY_PACKING_CHARS is below the managed one: sizes are measured
 * with the longest pseudo parameter values already, this is for IAM normalizing what CloudFormation sends.
 */
export const INLINE_MARGIN_CHARS = MANAGED_POLICY_MAX_CHARS - MANAGED_POLICY_PACKING_CHARS;

export type Placement =
  | { fits: true; managed: PolicyDocument[]; inline?: PolicyDocument }
  | { fits: false; managedNeeded: number };

export function placeGrants(
  statements: readonly Statement[],
  options: { maxManaged: number; inlineBaseChars: number },
): Placement {
  const managed = packStatements([...statements], MANAGED_POLICY_PACKING_CHARS);
  if (managed.length <= options.maxManaged) return { fits: true, managed };
  const room = ROLE_INLINE_POLICIES_MAX_CHARS - options.inlineBaseChars - INLINE_MARGIN_CHARS;
  const rest = managed.slice(options.maxManaged).flatMap((d) => d.Statement);
  // Re-packed, not moved whole: the last documents may hold more than the room as they are, and less once
  // their statements are merged into one document (one document overhead instead of several).
  const inline = room > 0 ? packStatements(rest, room) : [];
  const [only] = inline;
  if (inline.length === 1 && only && policySize(only) <= room) {
    return { fits: true, managed: managed.slice(0, options.maxManaged), inline: only };
  }
  return { fits: false, managedNeeded: managed.length };
}
