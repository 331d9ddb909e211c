/**
 * Checks a value against a shape of a botocore model, the way the service's front end would: members,
 * required members, types, enums, lengths, ranges and patterns. Nothing here knows about any one service;
 * all it knows comes from the model.
 */
import { describeValue, didYouMean } from "../../src/host/domain.ts";
import { compileJavaPattern } from "./java-regex.ts";
import type { BotocoreModel, Shape } from "./model-types.ts";

export type ShapeIssueKind =
  | "type"
  | "unknown"
  | "required"
  | "enum"
  | "range"
  | "length"
  | "pattern"
  | "union";

export interface ShapeIssue {
  /** Where, e.g. `overrides.containerOverrides[0].environment[1].name`; "" for the value itself. */
  path: string;
  message: string;
  /** What kind of rule failed: lets a caller answer a type error differently from a constraint error. */
  kind: ShapeIssueKind;
}

export interface ValidateOptions {
  /** Incremented for every pattern check skipped because the pattern has no JavaScript equivalent. */
  stats?: { skippedPatterns: number };
  /**
   * Check a JSON-protocol body as sent: timestamps must be epoch seconds (numbers). Otherwise Dates and
   * ISO 8601 strings are accepted too, as SDK callers hold them.
   */
  wire?: boolean;
}

const patternCache = new Map<string, RegExp | string>();

/** The compiled pattern, or the reason it cannot be compiled (cached: models repeat patterns a lot). */
function patternOf(pattern: string): RegExp | string {
  let hit = patternCache.get(pattern);
  if (hit === undefined) {
    const c = compileJavaPattern(pattern);
    hit = "regex" in c ? c.regex : c.error;
    patternCache.set(pattern, hit);
  }
  return hit;
}

/** Every pattern of a model and whether it could be compiled. */
export function patternReport(model: BotocoreModel): {
  total: number;
  compiled: number;
  skipped: { shape: string; pattern: string; reason: string }[];
} {
  const skipped: { shape: string; pattern: string; reason: string }[] = [];
  let total = 0;
  for (const [name, shape] of Object.entries(model.shapes)) {
    if (shape.pattern === undefined) continue;
    total++;
    const p = patternOf(shape.pattern);
    if (typeof p === "string") skipped.push({ shape: name, pattern: shape.pattern, reason: p });
  }
  return { total, compiled: total - skipped.length, skipped };
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date) && !ArrayBuffer.isView(v);

const join = (path: string, key: string): string => {
  const part = /^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key);
  if (!path) return part;
  return /^[A-Za-z_$]/.test(part) ? `${path}.${part}` : `${path}[${part}]`;
};

function range(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return `${min}..${max}`;
  if (min !== undefined) return `at least ${min}`;
  return `at most ${max}`;
}

function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a structure";
  if (typeof v === "number") return Number.isInteger(v) ? "an integer" : "a number";
  return `a ${typeof v}`;
}

const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };

class Checker {
  readonly issues: ShapeIssue[] = [];
  private readonly model: BotocoreModel;
  private readonly options: ValidateOptions;

  constructor(model: BotocoreModel, options: ValidateOptions) {
    this.model = model;
    this.options = options;
  }

  private add(path: string, kind: ShapeIssueKind, message: string): void {
    this.issues.push({ path, kind, message });
  }

  private shape(name: string): Shape {
    const s = this.model.shapes[name];
    if (!s) throw new Error(`model has no shape ${name}`);
    return s;
  }

  check(shapeName: string, value: unknown, path: string): void {
    const shape = this.shape(shapeName);
    switch (shape.type) {
      case "structure":
        this.structure(shape, value, path);
        return;
      case "list":
        this.list(shape, value, path);
        return;
      case "map":
        this.map(shape, value, path);
        return;
      case "string":
        this.string(shape, value, path);
        return;
      case "integer":
      case "long":
      case "short":
      case "byte":
        this.integer(shape, value, path);
        return;
      case "float":
      case "double":
        if (typeof value !== "number" || !Number.isFinite(value))
          this.add(path, "type", `expected a number, got ${typeName(value)}`);
        else this.bounds(shape, value, path);
        return;
      case "boolean":
        if (typeof value !== "boolean") this.add(path, "type", `expected a boolean, got ${typeName(value)}`);
        return;
      case "timestamp":
        this.timestamp(value, path);
        return;
      case "blob":
        if (
          !(typeof value === "string" && /^[A-Za-z0-9+/]*={0,2}$/.test(value)) &&
          !ArrayBuffer.isView(value)
        )
          this.add(path, "type", `expected base64 data, got ${typeName(value)}`);
        return;
      default:
        throw new Error(`shape ${shapeName} has unsupported type ${shape.type}`);
    }
  }

  private structure(shape: Shape, value: unknown, path: string): void {
    if (shape.document) return;
    if (!isPlainObject(value)) {
      this.add(path, "type", `expected a structure, got ${typeName(value)}`);
      return;
    }
    const members = shape.members ?? {};
    const names = Object.keys(members);
    let present = 0;
    for (const [key, v] of Object.entries(value)) {
      const member = members[key];
      if (!member) {
        this.add(join(path, key), "unknown", `unknown member${didYouMean(key, names)}`);
        continue;
      }
      // JSON protocols treat a null member as an absent one.
      if (v === null || v === undefined) continue;
      present++;
      this.check(member.shape, v, join(path, key));
    }
    for (const r of shape.required ?? []) {
      if (value[r] === undefined || value[r] === null) this.add(join(path, r), "required", "is required");
    }
    if (shape.union && present !== 1) {
      this.add(path, "union", `expected exactly one member of ${names.join(" | ")}, got ${present}`);
    }
  }

  private list(shape: Shape, value: unknown, path: string): void {
    if (!Array.isArray(value)) {
      this.add(path, "type", `expected a list, got ${typeName(value)}`);
      return;
    }
    if (
      (shape.min !== undefined && value.length < shape.min) ||
      (shape.max !== undefined && value.length > shape.max)
    )
      this.add(path, "length", `expected ${range(shape.min, shape.max)} items, got ${value.length}`);
    const member = shape.member?.shape;
    if (!member) return;
    value.forEach((item, i) => {
      this.check(member, item, `${path}[${i}]`);
    });
  }

  private map(shape: Shape, value: unknown, path: string): void {
    if (!isPlainObject(value)) {
      this.add(path, "type", `expected a map, got ${typeName(value)}`);
      return;
    }
    const entries = Object.entries(value);
    if (
      (shape.min !== undefined && entries.length < shape.min) ||
      (shape.max !== undefined && entries.length > shape.max)
    )
      this.add(path, "length", `expected ${range(shape.min, shape.max)} entries, got ${entries.length}`);
    for (const [k, v] of entries) {
      const at = join(path, k);
      if (shape.key) {
        const before = this.issues.length;
        this.check(shape.key.shape, k, at);
        for (const issue of this.issues.slice(before)) issue.message = `key: ${issue.message}`;
      }
      if (shape.value) this.check(shape.value.shape, v, at);
    }
  }

  private string(shape: Shape, value: unknown, path: string): void {
    if (typeof value !== "string") {
      this.add(path, "type", `expected a string, got ${typeName(value)}`);
      return;
    }
    if (shape.enum && !shape.enum.includes(value)) {
      this.add(
        path,
        "enum",
        `expected one of ${shape.enum.join(" | ")}, got ${describeValue(value)}${didYouMean(value, shape.enum)}`,
      );
      return;
    }
    // Smithy measures string length in Unicode code points.
    const length = [...value].length;
    if ((shape.min !== undefined && length < shape.min) || (shape.max !== undefined && length > shape.max)) {
      this.add(path, "length", `expected ${range(shape.min, shape.max)} characters, got ${length}`);
    }
    if (shape.pattern !== undefined) {
      const p = patternOf(shape.pattern);
      if (typeof p === "string") {
        if (this.options.stats) this.options.stats.skippedPatterns++;
      } else if (!p.test(value)) {
        this.add(path, "pattern", `${describeValue(value)} does not match the pattern ${shape.pattern}`);
      }
    }
  }

  private integer(shape: Shape, value: unknown, path: string): void {
    if (typeof value !== "number" || !Number.isInteger(value)) {
      this.add(path, "type", `expected an integer, got ${typeName(value)}`);
      return;
    }
    const limits =
      shape.type === "long" ? { min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER } : INT32;
    if (value < limits.min || value > limits.max) {
      this.add(path, "type", `expected a ${shape.type} in ${limits.min}..${limits.max}, got ${value}`);
      return;
    }
    this.bounds(shape, value, path);
  }

  private bounds(shape: Shape, value: number, path: string): void {
    if ((shape.min !== undefined && value < shape.min) || (shape.max !== undefined && value > shape.max))
      this.add(path, "range", `expected ${range(shape.min, shape.max)}, got ${value}`);
  }

  private timestamp(value: unknown, path: string): void {
    // On the wire JSON protocols send epoch seconds; SDK callers hold Dates or ISO strings.
    if (typeof value === "number" && Number.isFinite(value)) return;
    if (this.options.wire) {
      this.add(path, "type", `expected a timestamp in epoch seconds, got ${typeName(value)}`);
      return;
    }
    if (value instanceof Date && !Number.isNaN(value.getTime())) return;
    if (typeof value === "string" && !Number.isNaN(Date.parse(value))) return;
    this.add(path, "type", `expected a timestamp, got ${typeName(value)}`);
  }
}

/** Every problem of `value` against shape `shapeName` of `model`; empty when the service would accept it. */
export function validateShape(
  model: BotocoreModel,
  shapeName: string,
  value: unknown,
  options: ValidateOptions = {},
): ShapeIssue[] {
  const checker = new Checker(model, options);
  checker.check(shapeName, value, "");
  return checker.issues;
}

/** validateShape on the input or output shape of an operation (an operation without one takes `{}`). */
export function validateOperation(
  model: BotocoreModel,
  operation: string,
  direction: "input" | "output",
  value: unknown,
  options: ValidateOptions = {},
): ShapeIssue[] {
  const op = model.operations[operation];
  if (!op) throw new Error(`model has no operation ${operation}`);
  const ref = op[direction];
  if (!ref) {
    return isPlainObject(value) && Object.keys(value).length === 0
      ? []
      : [{ path: "", kind: "type", message: `${operation} takes no ${direction}` }];
  }
  return validateShape(model, ref.shape, value, options);
}

/** One line per issue: `path: message`. */
export const formatShapeIssues = (issues: readonly ShapeIssue[]): string =>
  issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ");
