/**
 * Checks a request against the botocore model of its service (../shared/aws-models): required members,
 * lengths, ranges, patterns and enums, as the real API validates them. Returns the violations, empty if none.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

interface Shape {
  type: string;
  required?: string[];
  members?: Record<string, { shape: string }>;
  member?: { shape: string };
  key?: { shape: string };
  value?: { shape: string };
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
}

export interface ServiceModel {
  operations: Record<string, { input?: { shape: string } }>;
  shapes: Record<string, Shape>;
}

export const MODELS_DIR = resolve(import.meta.dirname, "../../../shared/aws-models");

export const loadModel = (service: "scheduler" | "ecs" | "eventbridge"): ServiceModel =>
  JSON.parse(readFileSync(resolve(MODELS_DIR, `${service}.json`), "utf8")) as ServiceModel;

function check(model: ServiceModel, shapeName: string, value: unknown, path: string, out: string[]): void {
  const shape = model.shapes[shapeName];
  if (!shape) {
    out.push(`${path}: unknown shape ${shapeName}`);
    return;
  }
  const size = (n: number, what: string) => {
    if (shape.min !== undefined && n < shape.min) out.push(`${path}: ${what} ${n} < min ${shape.min}`);
    if (shape.max !== undefined && n > shape.max) out.push(`${path}: ${what} ${n} > max ${shape.max}`);
  };
  switch (shape.type) {
    case "structure": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        out.push(`${path}: expected a structure`);
        return;
      }
      const record = value as Record<string, unknown>;
      for (const name of shape.required ?? []) {
        if (record[name] === undefined) out.push(`${path}.${name}: required`);
      }
      for (const [name, v] of Object.entries(record)) {
        if (v === undefined) continue;
        const member = shape.members?.[name];
        if (!member) out.push(`${path}.${name}: not a member of ${shapeName}`);
        else check(model, member.shape, v, `${path}.${name}`, out);
      }
      return;
    }
    case "list":
      if (!Array.isArray(value)) {
        out.push(`${path}: expected a list`);
        return;
      }
      size(value.length, "length");
      value.forEach((v, i) => {
        check(model, shape.member?.shape ?? "", v, `${path}[${i}]`, out);
      });
      return;
    case "map":
      if (typeof value !== "object" || value === null) {
        out.push(`${path}: expected a map`);
        return;
      }
      for (const [k, v] of Object.entries(value)) {
        check(model, shape.key?.shape ?? "", k, `${path}{${k}}`, out);
        check(model, shape.value?.shape ?? "", v, `${path}.${k}`, out);
      }
      return;
    case "string":
      if (typeof value !== "string") {
        out.push(`${path}: expected a string`);
        return;
      }
      size(value.length, "length");
      if (shape.enum && !shape.enum.includes(value))
        out.push(`${path}: ${value} not in ${shape.enum.join("|")}`);
      if (shape.pattern && !new RegExp(shape.pattern).test(value))
        out.push(`${path}: ${value} does not match ${shape.pattern}`);
      return;
    case "integer":
    case "long":
      if (!Number.isInteger(value)) {
        out.push(`${path}: expected an integer`);
        return;
      }
      size(value as number, "value");
      return;
    case "boolean":
      if (typeof value !== "boolean") out.push(`${path}: expected a boolean`);
      return;
    case "timestamp":
      if (!(value instanceof Date) || Number.isNaN(value.getTime()))
        out.push(`${path}: expected a valid date`);
      return;
    default:
      out.push(`${path}: unsupported shape type ${shape.type}`);
  }
}

export function violations(model: ServiceModel, operation: string, input: unknown): string[] {
  const shape = model.operations[operation]?.input?.shape;
  if (!shape) return [`unknown operation ${operation}`];
  const out: string[] = [];
  check(model, shape, input, operation, out);
  return out;
}
