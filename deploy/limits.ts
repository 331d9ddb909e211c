/**
 * The quotas a packaged stack must fit, checked on the final template so that packaging fails, not the
 * deploy: CloudFormation (cloudformation-limits), IAM (reference_iam-quotas) and EventBridge (PutRule).
 */
import { resolveArn, WORST_CASE_CONTEXT } from "./arns.ts";
import { MANAGED_POLICY_MAX_CHARS, ROLE_INLINE_POLICIES_MAX_CHARS } from "./policy.ts";
import { EVENT_PATTERN_MAX_CHARS } from "./rules.ts";

export const CFN_LIMITS = {
  resources: 500,
  outputs: 200,
  parameters: 200,
  mappings: 200,
  /** Template body passed as an S3 URL, which is how osls deploys. */
  templateBytes: 1_000_000,
} as const;

export interface Template {
  Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  Outputs?: Record<string, unknown>;
  Parameters?: Record<string, unknown>;
  Mappings?: Record<string, unknown>;
}

/**
 * A CloudFormation value as the service would see it once deployed, for measuring: `Fn::Sub` templates get
 * the longest pseudo parameter values; other intrinsics (GetAtt/Ref of an ARN) count as a 2,048-character ARN.
 */
export function measurable(value: unknown): unknown {
  if (typeof value === "string") return resolveArn(value, WORST_CASE_CONTEXT);
  if (Array.isArray(value)) return value.map(measurable);
  if (value && typeof value === "object") {
    const entries = Object.entries(value);
    if (entries.length === 1) {
      const [[key, arg]] = entries as [[string, unknown]];
      if (key === "Fn::Sub" && typeof arg === "string") return resolveArn(arg, WORST_CASE_CONTEXT);
      if (key === "Ref" || key === "Fn::GetAtt" || key === "Fn::ImportValue") return "x".repeat(2048);
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, measurable(v)]));
  }
  return value;
}

export const measuredSize = (value: unknown): number => JSON.stringify(measurable(value)).length;

export interface LimitReport {
  resources: number;
  outputs: number;
  parameters: number;
  mappings: number;
  templateBytes: number;
  /** Largest measured sizes. */
  maxManagedPolicyChars: number;
  maxRoleInlineChars: number;
  maxManagedPoliciesPerRole: number;
  maxEventPatternChars: number;
  problems: string[];
}

const refOf = (v: unknown): string | undefined => (v as { Ref?: string })?.Ref;

export function checkTemplate(
  template: Template,
  options: { maxManagedPoliciesPerRole?: number } = {},
): LimitReport {
  const resources = template.Resources ?? {};
  const problems: string[] = [];
  const report: LimitReport = {
    resources: Object.keys(resources).length,
    outputs: Object.keys(template.Outputs ?? {}).length,
    parameters: Object.keys(template.Parameters ?? {}).length,
    mappings: Object.keys(template.Mappings ?? {}).length,
    // What osls uploads to S3 and CloudFormation reads: the template as compact JSON (osls
    // lib/plugins/aws/deploy/lib/upload-artifacts.js, `Body: JSON.stringify(compiledCfTemplate)`), not the
    // indented file it leaves in .serverless/ (about 1.5 times larger).
    templateBytes: Buffer.byteLength(JSON.stringify(template)),
    maxManagedPolicyChars: 0,
    maxRoleInlineChars: 0,
    maxManagedPoliciesPerRole: 0,
    maxEventPatternChars: 0,
    problems,
  };
  for (const key of ["resources", "outputs", "parameters", "mappings", "templateBytes"] as const) {
    if (report[key] > CFN_LIMITS[key]) problems.push(`${key}: ${report[key]} > ${CFN_LIMITS[key]}`);
  }
  const attached = new Map<string, number>();
  for (const [id, r] of Object.entries(resources)) {
    const p = r.Properties ?? {};
    if (r.Type === "AWS::IAM::ManagedPolicy") {
      const size = measuredSize(p.PolicyDocument);
      report.maxManagedPolicyChars = Math.max(report.maxManagedPolicyChars, size);
      if (size > MANAGED_POLICY_MAX_CHARS)
        problems.push(`${id}: policy of ${size} > ${MANAGED_POLICY_MAX_CHARS} characters`);
      for (const role of (p.Roles as unknown[] | undefined) ?? []) {
        const name = refOf(role);
        if (name) attached.set(name, (attached.get(name) ?? 0) + 1);
      }
    }
    if (r.Type === "AWS::IAM::Role") {
      const inline = ((p.Policies as { PolicyDocument: unknown }[] | undefined) ?? []).reduce(
        (sum, pol) => sum + measuredSize(pol.PolicyDocument),
        0,
      );
      report.maxRoleInlineChars = Math.max(report.maxRoleInlineChars, inline);
      if (inline > ROLE_INLINE_POLICIES_MAX_CHARS) {
        problems.push(`${id}: inline policies of ${inline} > ${ROLE_INLINE_POLICIES_MAX_CHARS} characters`);
      }
      const arns = ((p.ManagedPolicyArns as unknown[] | undefined) ?? []).length;
      if (arns > 0) attached.set(id, (attached.get(id) ?? 0) + arns);
    }
    if (r.Type === "AWS::Events::Rule" && p.EventPattern) {
      const size = measuredSize(p.EventPattern);
      report.maxEventPatternChars = Math.max(report.maxEventPatternChars, size);
      if (size > EVENT_PATTERN_MAX_CHARS)
        problems.push(`${id}: event pattern of ${size} > ${EVENT_PATTERN_MAX_CHARS} characters`);
    }
  }
  const maxPerRole = options.maxManagedPoliciesPerRole ?? 10;
  for (const [role, count] of attached) {
    report.maxManagedPoliciesPerRole = Math.max(report.maxManagedPoliciesPerRole, count);
    if (count > maxPerRole) problems.push(`${role}: ${count} managed policies > ${maxPerRole}`);
  }
  return report;
}
