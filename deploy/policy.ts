/**
 * IAM policy documents sized the way IAM sizes them (characters without whitespace, once CloudFormation has
 * substituted the pseudo parameters), and packed into as few documents as their quota allows.
 */
import { EcsJobsError } from "../src/errors.ts";
import { type ArnContext, type ArnTemplate, cfn, resolveArn, WORST_CASE_CONTEXT } from "./arns.ts";

export type ConditionBlock = Record<string, Record<string, ArnTemplate | ArnTemplate[]>>;

export interface Statement {
  Sid?: string;
  Effect: "Allow";
  Action: string[];
  Resource: ArnTemplate[];
  Condition?: ConditionBlock;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: Statement[];
}

/** IAM quotas (reference_iam-quotas): characters, whitespace not counted. */
export const MANAGED_POLICY_MAX_CHARS = 6144;
export const ROLE_INLINE_POLICIES_MAX_CHARS = 10240;
/**
 * What packing fills a managed policy to. Sizes are already measured with the longest pseudo parameter
 * values; the rest is a margin in case IAM normalizes the document CloudFormation sends differently.
 */
export const MANAGED_POLICY_PACKING_CHARS = 6000;

export const policy = (statements: Statement[]): PolicyDocument => ({
  Version: "2012-10-17",
  Statement: statements,
});

function resolved(doc: PolicyDocument, ctx: ArnContext): PolicyDocument {
  return JSON.parse(
    JSON.stringify(doc, (_k, v) => (typeof v === "string" ? resolveArn(v, ctx) : v)),
  ) as PolicyDocument;
}

/** The size IAM counts, with the pseudo parameters at their longest unless a context is given. */
export const policySize = (doc: PolicyDocument, ctx: ArnContext = WORST_CASE_CONTEXT): number =>
  JSON.stringify(resolved(doc, ctx)).length;

/** The document as a CloudFormation value: each ARN template becomes a string or an `Fn::Sub`. */
export function toCfn(doc: PolicyDocument): unknown {
  const values = (v: ArnTemplate | ArnTemplate[]) => (Array.isArray(v) ? v.map(cfn) : cfn(v));
  return {
    Version: doc.Version,
    Statement: doc.Statement.map((s) => ({
      ...(s.Sid && { Sid: s.Sid }),
      Effect: s.Effect,
      Action: s.Action,
      Resource: s.Resource.map(cfn),
      ...(s.Condition && {
        Condition: Object.fromEntries(
          Object.entries(s.Condition).map(([op, keys]) => [
            op,
            Object.fromEntries(Object.entries(keys).map(([k, v]) => [k, values(v)])),
          ]),
        ),
      }),
    })),
  };
}

export class PolicyTooLargeError extends EcsJobsError {
  constructor(message: string) {
    super("PolicyTooLarge", message);
  }
}

const worst = (s: string) => resolveArn(s, WORST_CASE_CONTEXT);

/**
 * Splits statements over documents of at most `maxChars` each, cutting a statement's resource list where it
 * has to (the same actions and condition on fewer resources grant nothing more). Sizes are summed piece by
 * piece, which is exact for JSON.stringify output, and every document is measured again at the end.
 */
export function packStatements(
  statements: Statement[],
  maxChars = MANAGED_POLICY_MAX_CHARS,
): PolicyDocument[] {
  const docOverhead = JSON.stringify(policy([])).length;
  const docs: Statement[][] = [];
  let current: Statement[] = [];
  let currentSize = docOverhead;
  const flush = () => {
    if (current.length > 0) docs.push(current);
    current = [];
    currentSize = docOverhead;
  };
  for (const statement of statements) {
    let rest = statement.Resource;
    let part = 0;
    while (rest.length > 0) {
      const sid = statement.Sid && (part === 0 ? statement.Sid : `${statement.Sid}P${part}`);
      const empty: Statement = { ...statement, ...(sid && { Sid: sid }), Resource: [] };
      const emptySize = JSON.stringify(resolved(policy([empty]), WORST_CASE_CONTEXT).Statement[0]).length;
      const separator = current.length > 0 ? 1 : 0;
      let size = currentSize + separator + emptySize;
      let taken = 0;
      for (const r of rest) {
        const add = JSON.stringify(worst(r)).length + (taken > 0 ? 1 : 0);
        if (size + add > maxChars) break;
        size += add;
        taken++;
      }
      if (taken === 0) {
        if (current.length === 0) {
          throw new PolicyTooLargeError(
            `one statement (${statement.Action.join(", ")}) does not fit in a ${maxChars}-character policy even with a single resource`,
          );
        }
        flush();
        continue;
      }
      current.push({ ...empty, Resource: rest.slice(0, taken) });
      currentSize = size;
      rest = rest.slice(taken);
      part++;
      if (rest.length > 0) flush();
    }
  }
  flush();
  const packed = docs.map(policy);
  for (const doc of packed) {
    const size = policySize(doc);
    if (size > maxChars) throw new Error(`packing produced a ${size}-character policy (max ${maxChars})`);
  }
  return packed;
}
