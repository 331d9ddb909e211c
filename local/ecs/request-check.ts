/**
 * A request checked against the ECS model before any operation runs, answered the way ECS answers:
 * a body that does not deserialise into the request shape (wrong JSON type, unknown member) is a
 * SerializationException; a well-formed value outside the documented limits is an
 * InvalidParameterException. Every message names the field.
 */
import { ecsModelWithLimits } from "../model/ecs-model.ts";
import { formatShapeIssues, validateOperation } from "../model/validate.ts";
import { EcsApiError } from "./api-error.ts";

export function checkRequest(operation: string, input: unknown): void {
  const issues = validateOperation(ecsModelWithLimits(), operation, "input", input);
  if (issues.length === 0) return;
  const serialization = issues.filter((i) => i.kind === "type" || i.kind === "unknown");
  const shown = serialization.length > 0 ? serialization : issues;
  const first = shown[0];
  throw new EcsApiError(
    serialization.length > 0 ? "SerializationException" : "InvalidParameterException",
    formatShapeIssues(shown),
    first?.path ? { field: first.path } : {},
  );
}
