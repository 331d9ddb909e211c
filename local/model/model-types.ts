/**
 * The parts of a botocore service model (`botocore/data/<service>/<version>/service-2.json`) this code reads.
 * Shapes carry the service's real constraints; everything else in the file is documentation.
 */

export interface ShapeRef {
  shape: string;
  [key: string]: unknown;
}

export interface Shape {
  type: string;
  members?: Record<string, ShapeRef>;
  member?: ShapeRef;
  key?: ShapeRef;
  value?: ShapeRef;
  required?: string[];
  enum?: string[];
  min?: number;
  max?: number;
  pattern?: string;
  /** A free-form JSON value (Smithy document type). */
  document?: boolean;
  union?: boolean;
  exception?: boolean;
  fault?: boolean;
  [key: string]: unknown;
}

export interface Operation {
  name: string;
  http?: { method: string; requestUri: string; [key: string]: unknown };
  input?: ShapeRef;
  output?: ShapeRef;
  errors?: ShapeRef[];
  [key: string]: unknown;
}

export interface BotocoreModel {
  version?: string;
  metadata: { targetPrefix?: string; protocol?: string; jsonVersion?: string; [key: string]: unknown };
  operations: Record<string, Operation>;
  shapes: Record<string, Shape>;
  [key: string]: unknown;
}

/** The shapes a shape refers to directly (members, list member, map key and value). */
export function referencedShapes(shape: Shape): string[] {
  const refs: string[] = [];
  for (const m of Object.values(shape.members ?? {})) refs.push(m.shape);
  for (const r of [shape.member, shape.key, shape.value]) if (r) refs.push(r.shape);
  return refs;
}
