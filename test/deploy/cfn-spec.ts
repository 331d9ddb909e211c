/**
 * A CloudFormation template checked against the AWS resource specification, as the AWS CDK ships it
 * (@aws-cdk/aws-service-spec, built from CloudFormation's resource provider schemas): every resource type
 * exists, every property exists on its type, required properties are there, and values have the shape the
 * specification gives, nested types included. Intrinsic functions (Ref, Fn::*) stand for any value.
 * This is what `serverless package` does not check and a deploy would reject.
 */
import { loadAwsServiceSpecSync } from "@aws-cdk/aws-service-spec";
import type { PropertyType, SpecDatabase } from "@aws-cdk/service-spec-types";

let db: SpecDatabase | undefined;
const spec = (): SpecDatabase => {
  db ??= loadAwsServiceSpecSync();
  return db;
};

interface PropertySpecs {
  [name: string]: { type: PropertyType; required?: boolean };
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** `{ "Ref": … }`, `{ "Fn::GetAtt": … }`, …: resolved at deploy time, to a value of any shape. */
const isIntrinsic = (v: unknown): boolean => {
  if (!isObject(v)) return false;
  const keys = Object.keys(v);
  return keys.length === 1 && (keys[0] === "Ref" || keys[0]?.startsWith("Fn::") === true);
};

function checkObject(value: unknown, props: PropertySpecs, path: string, out: string[]): void {
  if (isIntrinsic(value)) return;
  if (!isObject(value)) {
    out.push(`${path}: expected an object, got ${JSON.stringify(value)?.slice(0, 80)}`);
    return;
  }
  for (const [name, p] of Object.entries(props))
    if (p.required && !(name in value)) out.push(`${path}.${name}: required`);
  for (const [name, v] of Object.entries(value)) {
    const p = props[name];
    if (!p) out.push(`${path}.${name}: not a property of this type`);
    else checkValue(v, p.type, `${path}.${name}`, out);
  }
}

function checkValue(value: unknown, type: PropertyType, path: string, out: string[]): void {
  if (isIntrinsic(value)) return;
  const wrong = (what: string) =>
    out.push(`${path}: expected ${what}, got ${JSON.stringify(value)?.slice(0, 80)}`);
  switch (type.type) {
    case "string":
    case "date-time":
      // CloudFormation takes numbers and booleans where it wants a string (it passes their text).
      if (!["string", "number", "boolean"].includes(typeof value)) wrong("a string");
      return;
    case "number":
    case "integer":
      if (typeof value !== "number" && !(typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value)))
        wrong(`a ${type.type}`);
      return;
    case "boolean":
      if (typeof value !== "boolean" && value !== "true" && value !== "false") wrong("true or false");
      return;
    case "json":
      return;
    case "null":
      if (value !== null) wrong("null");
      return;
    case "tag":
      checkObject(
        value,
        { Key: { type: { type: "string" }, required: true }, Value: { type: { type: "string" } } },
        path,
        out,
      );
      return;
    case "array":
      if (!Array.isArray(value)) wrong("a list");
      else for (const [i, item] of value.entries()) checkValue(item, type.element, `${path}[${i}]`, out);
      return;
    case "map":
      if (!isObject(value)) wrong("a map");
      else for (const [k, v] of Object.entries(value)) checkValue(v, type.element, `${path}.${k}`, out);
      return;
    case "ref": {
      const def = spec().get("typeDefinition", type.reference.$ref);
      checkObject(value, def.properties as PropertySpecs, path, out);
      return;
    }
    case "union": {
      const tries = type.types.map((t) => {
        const problems: string[] = [];
        checkValue(value, t, path, problems);
        return problems;
      });
      if (!tries.some((p) => p.length === 0)) out.push(...(tries[0] ?? []));
      return;
    }
  }
}

/** Every way the template's resources depart from the specification, one line each (empty: none). */
export function cfnSpecProblems(template: {
  Resources: Record<string, { Type: string; Properties?: unknown }>;
}): string[] {
  const out: string[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type.startsWith("Custom::") || resource.Type === "AWS::CloudFormation::CustomResource")
      continue;
    const [type] = spec().lookup("resource", "cloudFormationType", "equals", resource.Type);
    if (!type) {
      out.push(`${id}: ${resource.Type} is not a CloudFormation resource type`);
      continue;
    }
    checkObject(resource.Properties ?? {}, type.properties as PropertySpecs, `${id} (${resource.Type})`, out);
  }
  return out;
}
