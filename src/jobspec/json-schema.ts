/** The editor schema (schema/job.schema.json), generated from the zod schema so the two never drift. */
import { z } from "zod";
import { JobSpecSchema } from "./schema.ts";

export function jobJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(JobSpecSchema, { io: "input", unrepresentable: "any" }),
    $id: "https://ecs-jobs.dev/schema/job.schema.json",
    title: "ecs-jobs job spec",
    description: "One job: what to run on ECS, when, and what to do when it fails. See SPEC.md section 1.",
  };
}

export const jobJsonSchemaText = (): string => `${JSON.stringify(jobJsonSchema(), null, 2)}\n`;
